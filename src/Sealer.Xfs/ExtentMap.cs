using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>One mapping of a fork: <see cref="Count"/> fs blocks from file block <see cref="Logical"/> at AG-encoded
/// fs block <see cref="Physical"/>.</summary>
internal readonly record struct XfsExtent(long Logical, long Physical, long Count, bool Unwritten) : Core.FileSystems.IBlockRun
{
    public long End => Logical + Count;
}

/// <summary>The sorted, validated extent list of an inode fork, decoded from the packed 128-bit records in the inode
/// (extents format) or from the bmap btree (btree format).</summary>
internal sealed class ExtentMap
{
    private const uint BmapMagic = 0x424D4150; // "BMAP"
    private const uint Bma3Magic = 0x424D4133; // "BMA3"
    private const int LongHeaderV4 = 24;
    private const int LongHeaderV5 = 72;
    private const int LongOffBlkno = 24;
    private const int LongOffUuid = 40;
    private const int LongOffOwner = 56;
    private const int LongOffCrc = 64;
    private const int RecordSize = 16;
    private const int MaxLevels = 9;

    private ExtentMap(List<XfsExtent> extents) => Extents = extents;

    public IReadOnlyList<XfsExtent> Extents { get; }

    /// <summary>The data fork map of <paramref name="inode"/> (format extents or btree).</summary>
    public static ExtentMap ReadData(XfsVolume vol, XfsInode inode) =>
        Read(vol, inode, inode.DataFormat, inode.DataFork, inode.DataExtents, "data fork");

    /// <summary>The attribute fork map of <paramref name="inode"/>.</summary>
    public static ExtentMap ReadAttr(XfsVolume vol, XfsInode inode) =>
        Read(vol, inode, inode.AttrFormat, inode.AttrFork ?? [], inode.AttrExtents, "attribute fork");

    private static ExtentMap Read(XfsVolume vol, XfsInode inode, ForkFormat format, byte[] fork, ulong count, string forkName)
    {
        var where = $"{inode.Where} {forkName}";
        var list = new List<XfsExtent>();
        switch (format)
        {
            case ForkFormat.Extents:
                if (count > (ulong)(fork.Length / RecordSize))
                {
                    throw new InvalidImageException($"xfs: {where}: {count} extents do not fit in the inode ({fork.Length} bytes)");
                }

                Decode(vol, fork.AsSpan(0, (int)count * RecordSize), list, where);
                break;
            case ForkFormat.Btree:
                ReadRoot(vol, inode, fork, count, list, where);
                break;
            default:
                throw new InvalidImageException($"xfs: {where}: format {format} has no extent map");
        }

        if ((ulong)list.Count != count)
        {
            throw new InvalidImageException($"xfs: {where}: {list.Count} extents found, the inode records {count}");
        }

        return new ExtentMap(list);
    }

    /// <summary>Index of the extent holding <paramref name="logical"/>, or the bitwise complement of the next one.</summary>
    public int Find(long logical) => Core.FileSystems.BlockRuns.Find(Extents, logical);

    private static void Decode(XfsVolume vol, ReadOnlySpan<byte> records, List<XfsExtent> list, string where)
    {
        for (var i = 0; i < records.Length; i += RecordSize)
        {
            var l0 = BinaryPrimitives.ReadUInt64BigEndian(records[i..]);
            var l1 = BinaryPrimitives.ReadUInt64BigEndian(records[(i + 8)..]);
            var unwritten = (l0 >> 63) != 0;
            var logical = (long)((l0 & 0x7FFF_FFFF_FFFF_FFFFUL) >> 9);
            var physical = (long)(((l0 & 0x1FF) << 43) | (l1 >> 21));
            var blocks = (long)(l1 & 0x1F_FFFF);
            if (blocks == 0 || !vol.Sb.IsBlockInFs(physical, blocks))
            {
                throw new InvalidImageException($"xfs: {where}: extent {list.Count} (file block {logical}, fs block {physical}, {blocks} blocks) is outside the file system");
            }

            if (list.Count > 0 && logical < list[^1].End)
            {
                throw new InvalidImageException($"xfs: {where}: extent {list.Count} at file block {logical} overlaps or is out of order");
            }

            list.Add(new XfsExtent(logical, physical, blocks, unwritten));
        }
    }

    private static void ReadRoot(XfsVolume vol, XfsInode inode, byte[] fork, ulong count, List<XfsExtent> list, string where)
    {
        if (fork.Length < 4 + RecordSize)
        {
            throw new InvalidImageException($"xfs: {where}: btree root area of {fork.Length} bytes is too small");
        }

        var level = BinaryPrimitives.ReadUInt16BigEndian(fork);
        var numrecs = BinaryPrimitives.ReadUInt16BigEndian(fork.AsSpan(2));
        var maxrecs = (fork.Length - 4) / RecordSize;
        if (level is 0 or > MaxLevels || numrecs == 0 || numrecs > maxrecs)
        {
            throw new InvalidImageException($"xfs: {where}: btree root level {level} with {numrecs} records (at most {maxrecs})");
        }

        var visited = new HashSet<long>();
        var ptrs = fork.AsSpan(4 + (maxrecs * 8));
        for (var i = 0; i < numrecs; i++)
        {
            var child = (long)BinaryPrimitives.ReadUInt64BigEndian(ptrs[(i * 8)..]);
            Walk(vol, inode, child, level - 1, count, visited, list, where);
        }
    }

    private static void Walk(XfsVolume vol, XfsInode inode, long fsblock, int level, ulong count, HashSet<long> visited,
        List<XfsExtent> list, string where)
    {
        var at = $"{where} bmbt block {fsblock}";
        if (!visited.Add(fsblock))
        {
            throw new InvalidImageException($"xfs: {at}: block is referenced twice (loop in the btree)");
        }

        var block = vol.ReadBlocks(fsblock, 1, at);
        var sb = vol.Sb;
        var magic = BinaryPrimitives.ReadUInt32BigEndian(block);
        if (magic != (sb.HasCrc ? Bma3Magic : BmapMagic))
        {
            throw new InvalidImageException($"xfs: {at}: bad magic 0x{magic:x8}");
        }

        var header = LongHeaderV4;
        if (sb.HasCrc)
        {
            header = LongHeaderV5;
            vol.VerifyV5Header(block, LongOffCrc, LongOffUuid, LongOffOwner, inode.Number, LongOffBlkno, vol.DaddrOf(fsblock), at);
        }

        var blockLevel = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(4));
        var numrecs = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(6));
        var maxrecs = (block.Length - header) / RecordSize;
        if (blockLevel != level || numrecs == 0 || numrecs > maxrecs)
        {
            throw new InvalidImageException($"xfs: {at}: level {blockLevel} (expected {level}) with {numrecs} records (at most {maxrecs})");
        }

        if (level == 0)
        {
            if ((ulong)(list.Count + numrecs) > count)
            {
                throw new InvalidImageException($"xfs: {at}: more extents than the {count} the inode records");
            }

            Decode(vol, block.AsSpan(header, numrecs * RecordSize), list, at);
            return;
        }

        var ptrStart = header + (maxrecs * 8);
        for (var i = 0; i < numrecs; i++)
        {
            var child = (long)BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(ptrStart + (i * 8)));
            Walk(vol, inode, child, level - 1, count, visited, list, where);
        }
    }
}
