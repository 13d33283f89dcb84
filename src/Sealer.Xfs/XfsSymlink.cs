using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>Symlink targets: inline in the inode (local format) or in remote blocks, which on v5 start each
/// mapping with a self-describing header ("XSLM", offset, bytes, CRC, UUID, owner, block number).</summary>
internal static class XfsSymlink
{
    private const uint Magic = 0x58534C4D; // "XSLM"
    private const int HeaderSize = 56;
    private const int OffOffset = 4;
    private const int OffBytes = 8;
    private const int OffCrc = 12;
    private const int OffUuid = 16;
    private const int OffOwner = 32;
    private const int OffBlkno = 40;

    public static byte[] Read(XfsVolume vol, XfsInode inode, int maxLength)
    {
        if (inode.Size <= 0 || inode.Size > maxLength)
        {
            throw new InvalidImageException($"xfs: {inode.Where}: symlink has invalid size {inode.Size}");
        }

        var length = (int)inode.Size;
        if (inode.DataFormat == ForkFormat.Local)
        {
            if (length > inode.DataFork.Length)
            {
                throw new InvalidImageException($"xfs: {inode.Where}: inline symlink of {length} bytes passes the fork of {inode.DataFork.Length}");
            }

            return inode.DataFork[..length];
        }

        var map = ExtentMap.ReadData(vol, inode);
        var target = new byte[length];
        var done = 0;
        var expectBlock = 0L;
        foreach (var e in map.Extents)
        {
            if (done == length)
            {
                break;
            }

            var at = $"{inode.Where} symlink block {e.Logical}";
            if (e.Logical != expectBlock || e.Count > 4)
            {
                throw new InvalidImageException($"xfs: {at}: symlink extents are not contiguous from block 0");
            }

            expectBlock = e.End;
            var buffer = vol.ReadBlocks(e.Physical, (int)e.Count, at);
            var payload = buffer.AsSpan();
            var chunk = Math.Min(length - done, buffer.Length);
            if (vol.Sb.HasCrc)
            {
                chunk = Math.Min(length - done, buffer.Length - HeaderSize);
                if (BinaryPrimitives.ReadUInt32BigEndian(buffer) != Magic)
                {
                    throw new InvalidImageException($"xfs: {at}: bad remote symlink magic");
                }

                vol.VerifyV5Header(buffer, OffCrc, OffUuid, OffOwner, inode.Number, OffBlkno, vol.DaddrOf(e.Physical), at);
                if (BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(OffOffset)) != done
                    || BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(OffBytes)) != chunk)
                {
                    throw new InvalidImageException($"xfs: {at}: header offset/size do not match the target");
                }

                payload = payload[HeaderSize..];
            }

            payload[..chunk].CopyTo(target.AsSpan(done));
            done += chunk;
        }

        if (done != length)
        {
            throw new InvalidImageException($"xfs: {inode.Where}: symlink blocks hold {done} of {length} bytes");
        }

        return target;
    }
}
