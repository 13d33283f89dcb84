using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Xfs;

/// <summary>The device and superblock shared by every reader, with bounds-checked block reads and the checks every
/// v5 self-describing metadata block gets (magic, CRC, UUID, owner, block number).</summary>
internal sealed class XfsVolume(IBlockDevice device, XfsSuperblock sb)
{
    public IBlockDevice Device { get; } = device;

    public XfsSuperblock Sb { get; } = sb;

    public int BlockSize => Sb.BlockSize;

    /// <summary>Reads <paramref name="count"/> fs blocks starting at AG-encoded <paramref name="fsblock"/>.</summary>
    public byte[] ReadBlocks(long fsblock, int count, string what)
    {
        if (count <= 0 || !Sb.IsBlockInFs(fsblock, count))
        {
            throw new InvalidImageException($"xfs: {what}: block {fsblock} (+{count}) is outside the file system");
        }

        var buffer = new byte[count * BlockSize];
        Device.Read(Sb.FsBlockToOffset(fsblock), buffer);
        return buffer;
    }

    /// <summary>Reads bytes at a device offset already known to lie inside the file system.</summary>
    public void ReadAt(long offset, Span<byte> destination) => Device.Read(offset, destination);

    /// <summary>Disk address (512-byte units) of a fs block, as v5 headers record it in their blkno fields.</summary>
    public ulong DaddrOf(long fsblock) => (ulong)(Sb.FsBlockToOffset(fsblock) / 512);

    /// <summary>Checks a v5 header's CRC, UUID, owner and self block number. Offsets are within <paramref name="block"/>.</summary>
    public void VerifyV5Header(ReadOnlySpan<byte> block, int crcOffset, int uuidOffset, int ownerOffset, ulong owner,
        int blknoOffset, ulong daddr, string what)
    {
        XfsChecksum.Verify(block, crcOffset, what);
        if (!block.Slice(uuidOffset, 16).SequenceEqual(Sb.MetaUuidBytes))
        {
            throw new InvalidImageException($"xfs: {what}: UUID does not match the file system (offset 0x{uuidOffset:x})");
        }

        if (ownerOffset >= 0)
        {
            var stored = BinaryPrimitives.ReadUInt64BigEndian(block[ownerOffset..]);
            if (stored != owner)
            {
                throw new InvalidImageException($"xfs: {what}: owner {stored} is not {owner} (offset 0x{ownerOffset:x})");
            }
        }

        var blkno = BinaryPrimitives.ReadUInt64BigEndian(block[blknoOffset..]);
        if (blkno != daddr)
        {
            throw new InvalidImageException($"xfs: {what}: self block number {blkno} is not {daddr} (offset 0x{blknoOffset:x})");
        }
    }
}
