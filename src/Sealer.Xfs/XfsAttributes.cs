using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>Reads extended attributes: shortform (in the inode), leaf blocks and node (dabtree) attribute forks,
/// with remote values. Names come back with their namespace prefix ("user.", "trusted.", "security.").</summary>
internal sealed class XfsAttributes(XfsVolume vol)
{
    private const ushort LeafMagicV4 = 0xFBEE;
    private const ushort LeafMagicV5 = 0x3BEE;
    private const ushort NodeMagicV4 = 0xFEBE;
    private const ushort NodeMagicV5 = 0x3EBE;
    private const uint RemoteMagic = 0x5841524D; // "XARM"
    private const int DaOffForw = 0;
    private const int DaOffMagic = 8;
    private const int DaOffCrc = 12;
    private const int DaOffBlkno = 16;
    private const int DaOffUuid = 32;
    private const int DaOffOwner = 48;
    private const int LeafHeaderV4 = 32;
    private const int LeafHeaderV5 = 80;
    private const int NodeHeaderV4 = 16;
    private const int NodeHeaderV5 = 64;
    private const int RemoteHeader = 56;
    private const int RmtOffOffset = 4;
    private const int RmtOffBytes = 8;
    private const int RmtOffCrc = 12;
    private const int RmtOffUuid = 16;
    private const int RmtOffOwner = 32;
    private const int RmtOffBlkno = 40;
    private const byte FlagLocal = 0x01;
    private const byte FlagRoot = 0x02;
    private const byte FlagSecure = 0x04;
    private const byte FlagParent = 0x08;
    private const byte FlagIncomplete = 0x80;
    private const int MaxValue = 65536;
    private const int MaxNodeLevels = 8;

    public SortedDictionary<string, byte[]> Read(XfsInode inode)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (inode.AttrFork is null)
        {
            return result;
        }

        switch (inode.AttrFormat)
        {
            case ForkFormat.Local:
                ReadShortForm(inode, inode.AttrFork, result);
                break;
            case ForkFormat.Extents or ForkFormat.Btree:
                if (inode.AttrExtents > 0)
                {
                    ReadTree(inode, ExtentMap.ReadAttr(vol, inode), result);
                }

                break;
            default:
                throw new InvalidImageException($"xfs: {inode.Where}: attribute fork format {inode.AttrFormat}");
        }

        return result;
    }

    private static void ReadShortForm(XfsInode inode, byte[] fork, SortedDictionary<string, byte[]> result)
    {
        var where = $"{inode.Where} shortform attributes";
        if (fork.Length < 4)
        {
            throw new InvalidImageException($"xfs: {where}: fork of {fork.Length} bytes is too small");
        }

        var total = BinaryPrimitives.ReadUInt16BigEndian(fork);
        int count = fork[2];
        if (total < 4 || total > fork.Length)
        {
            throw new InvalidImageException($"xfs: {where}: total size {total} does not fit the fork of {fork.Length} bytes");
        }

        var pos = 4;
        for (var n = 0; n < count; n++)
        {
            if (pos + 3 > total)
            {
                throw new InvalidImageException($"xfs: {where}: entry {n} at offset {pos} passes the total size {total}");
            }

            int nameLen = fork[pos], valueLen = fork[pos + 1];
            var flags = fork[pos + 2];
            if (nameLen == 0 || pos + 3 + nameLen + valueLen > total)
            {
                throw new InvalidImageException($"xfs: {where}: entry {n} at offset {pos} passes the total size {total}");
            }

            Add(result, flags, fork.AsSpan(pos + 3, nameLen), fork.AsSpan(pos + 3 + nameLen, valueLen).ToArray());
            pos += 3 + nameLen + valueLen;
        }
    }

    private void ReadTree(XfsInode inode, ExtentMap map, SortedDictionary<string, byte[]> result)
    {
        var sb = vol.Sb;
        var visited = new HashSet<long>();
        var (block, daddr) = ReadBlock(inode, map, 0);

        // Descend the leftmost path to the first leaf, then follow the forward links.
        for (var depth = 0; ; depth++)
        {
            var magic = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(DaOffMagic));
            if (magic != (sb.HasCrc ? NodeMagicV5 : NodeMagicV4))
            {
                break;
            }

            var at = $"{inode.Where} attribute node at attr block {daddr.Logical}";
            Verify(inode, block, daddr, at);
            var header = sb.HasCrc ? NodeHeaderV5 : NodeHeaderV4;
            var countOff = header - (sb.HasCrc ? 8 : 4);
            var count = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(countOff));
            if (count == 0 || count > (block.Length - header) / 8 || depth >= MaxNodeLevels)
            {
                throw new InvalidImageException($"xfs: {at}: {count} entries at depth {depth}");
            }

            var child = BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(header + 4));
            if (!visited.Add(daddr.Logical))
            {
                throw new InvalidImageException($"xfs: {at}: loop in the attribute tree");
            }

            (block, daddr) = ReadBlock(inode, map, child);
        }

        while (true)
        {
            var at = $"{inode.Where} attribute leaf at attr block {daddr.Logical}";
            if (!visited.Add(daddr.Logical))
            {
                throw new InvalidImageException($"xfs: {at}: loop in the attribute leaf chain");
            }

            var magic = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(DaOffMagic));
            if (magic != (sb.HasCrc ? LeafMagicV5 : LeafMagicV4))
            {
                throw new InvalidImageException($"xfs: {at}: bad magic 0x{magic:x4}");
            }

            Verify(inode, block, daddr, at);
            ParseLeaf(inode, map, block, result, at);
            var forw = BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(DaOffForw));
            if (forw == 0)
            {
                return;
            }

            (block, daddr) = ReadBlock(inode, map, forw);
        }
    }

    private void ParseLeaf(XfsInode inode, ExtentMap map, byte[] block, SortedDictionary<string, byte[]> result, string at)
    {
        var header = vol.Sb.HasCrc ? LeafHeaderV5 : LeafHeaderV4;
        var countOff = vol.Sb.HasCrc ? 56 : 12;
        var count = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(countOff));
        if (header + (count * 8) > block.Length)
        {
            throw new InvalidImageException($"xfs: {at}: {count} entries pass the block");
        }

        for (var i = 0; i < count; i++)
        {
            var e = header + (i * 8);
            var nameIdx = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(e + 4));
            var flags = block[e + 6];
            if ((flags & FlagIncomplete) != 0)
            {
                continue;
            }

            if (nameIdx < header + (count * 8) || nameIdx >= block.Length)
            {
                throw new InvalidImageException($"xfs: {at}: entry {i} name offset {nameIdx} is outside the name area");
            }

            var rest = block.AsSpan(nameIdx);
            if ((flags & FlagLocal) != 0)
            {
                if (rest.Length < 3)
                {
                    throw new InvalidImageException($"xfs: {at}: entry {i} at offset {nameIdx} passes the block");
                }

                var valueLen = BinaryPrimitives.ReadUInt16BigEndian(rest);
                var nameLen = rest[2];
                if (nameLen == 0 || 3 + nameLen + valueLen > rest.Length)
                {
                    throw new InvalidImageException($"xfs: {at}: entry {i} at offset {nameIdx} passes the block");
                }

                Add(result, flags, rest.Slice(3, nameLen), rest.Slice(3 + nameLen, valueLen).ToArray());
            }
            else
            {
                if (rest.Length < 9)
                {
                    throw new InvalidImageException($"xfs: {at}: entry {i} at offset {nameIdx} passes the block");
                }

                var valueBlock = BinaryPrimitives.ReadUInt32BigEndian(rest);
                var valueLen = BinaryPrimitives.ReadUInt32BigEndian(rest[4..]);
                var nameLen = rest[8];
                if (nameLen == 0 || 9 + nameLen > rest.Length || valueLen > MaxValue)
                {
                    throw new InvalidImageException($"xfs: {at}: remote entry {i} at offset {nameIdx} (value {valueLen} bytes) is invalid");
                }

                var name = rest.Slice(9, nameLen).ToArray();
                Add(result, flags, name, ReadRemote(inode, map, valueBlock, (int)valueLen, at));
            }
        }
    }

    private byte[] ReadRemote(XfsInode inode, ExtentMap map, uint first, int length, string at)
    {
        var sb = vol.Sb;
        var perBlock = sb.HasCrc ? sb.BlockSize - RemoteHeader : sb.BlockSize;
        var value = new byte[length];
        var done = 0;
        for (var b = 0L; done < length; b++)
        {
            var (block, daddr) = ReadBlock(inode, map, first + b);
            var chunk = Math.Min(perBlock, length - done);
            var where = $"{at} remote value block {first + b}";
            if (sb.HasCrc)
            {
                if (BinaryPrimitives.ReadUInt32BigEndian(block) != RemoteMagic)
                {
                    throw new InvalidImageException($"xfs: {where}: bad magic");
                }

                vol.VerifyV5Header(block, RmtOffCrc, RmtOffUuid, RmtOffOwner, inode.Number, RmtOffBlkno, daddr.Daddr, where);
                if (BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(RmtOffOffset)) != done
                    || BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(RmtOffBytes)) != chunk)
                {
                    throw new InvalidImageException($"xfs: {where}: header offset/size do not match the value");
                }

                block.AsSpan(RemoteHeader, chunk).CopyTo(value.AsSpan(done));
            }
            else
            {
                block.AsSpan(0, chunk).CopyTo(value.AsSpan(done));
            }

            done += chunk;
        }

        return value;
    }

    private void Verify(XfsInode inode, byte[] block, (long Logical, ulong Daddr) daddr, string at)
    {
        if (vol.Sb.HasCrc)
        {
            vol.VerifyV5Header(block, DaOffCrc, DaOffUuid, DaOffOwner, inode.Number, DaOffBlkno, daddr.Daddr, at);
        }
    }

    private (byte[] Block, (long Logical, ulong Daddr) Address) ReadBlock(XfsInode inode, ExtentMap map, long logical)
    {
        var index = map.Find(logical);
        if (index < 0 || map.Extents[index].Unwritten)
        {
            throw new InvalidImageException($"xfs: {inode.Where}: attribute block {logical} is not mapped");
        }

        var e = map.Extents[index];
        var physical = e.Physical + (logical - e.Logical);
        var block = vol.ReadBlocks(physical, 1, $"{inode.Where} attribute block {logical}");
        return (block, (logical, vol.DaddrOf(physical)));
    }

    private static void Add(SortedDictionary<string, byte[]> result, byte flags, ReadOnlySpan<byte> name, byte[] value)
    {
        if ((flags & FlagParent) != 0)
        {
            return;
        }

        var prefix = (flags & FlagSecure) != 0 ? "security." : (flags & FlagRoot) != 0 ? "trusted." : "user.";
        result[prefix + Encoding.UTF8.GetString(name)] = value;
    }
}
