using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// The blocks that belong to the file system itself (the kernel's block_validity "system zone"): superblock and its
/// backups, group descriptor tables with their reserved growth blocks, meta_bg descriptor blocks, block and inode
/// bitmaps, inode tables, the journal inode's blocks, the resize inode's index block and the MMP block. Computed once
/// at open from the superblock and the descriptors (a few ranges per group, no bitmap reads). No file block, map
/// block, directory block or xattr block may lie here: such a pointer is corrupt and is refused before anything is
/// freed or written, so a seal never overwrites metadata with file data.
/// </summary>
internal sealed class SystemZone
{
    private const int ResizeInode = 7;
    private const int MmpBlockOffset = 0x168;

    private readonly long[] _starts;
    private readonly long[] _ends;
    private readonly List<(long Start, long End, string What)> _parts;
    private readonly long _firstDataBlock;
    private readonly long _blocksCount;

    private SystemZone(List<(long Start, long End, string What)> parts, long firstDataBlock, long blocksCount)
    {
        parts.Sort((a, b) => a.Start.CompareTo(b.Start));
        var starts = new List<long>();
        var ends = new List<long>();
        foreach (var (start, end, _) in parts)
        {
            if (starts.Count > 0 && start <= ends[^1])
            {
                ends[^1] = Math.Max(ends[^1], end);
                continue;
            }

            starts.Add(start);
            ends.Add(end);
        }

        _starts = [.. starts];
        _ends = [.. ends];
        _parts = parts;
        _firstDataBlock = firstDataBlock;
        _blocksCount = blocksCount;
    }

    /// <summary>No metadata known (the throw-away context of a journal replay).</summary>
    public static SystemZone Empty(Ext4Superblock sb) => new([], sb.FirstDataBlock, sb.BlocksCount);

    /// <summary>Merged ranges; shows how small the zone is (a few per flex group).</summary>
    public int RangeCount => _starts.Length;

    public static SystemZone Build(Ext4Context ctx)
    {
        var sb = ctx.Sb;
        var gd = ctx.Groups;
        var parts = new List<(long, long, string)>();
        void Add(long start, long count, string what)
        {
            if (count > 0)
            {
                parts.Add((start, start + count, what));
            }
        }

        var metaBg = sb.HasIncompat(Ext4Features.IncompatMetaBg);
        var perBlock = sb.BlockSize / sb.DescriptorSize;
        var classic = gd.ClassicGdtBlocks + (metaBg ? 0 : sb.ReservedGdtBlocks);
        var itableBlocks = ((long)sb.InodesPerGroup * sb.InodeSize + sb.BlockSize - 1) / sb.BlockSize;
        if (sb.FirstDataBlock == 0)
        {
            Add(0, 1, "the superblock");
        }

        for (var g = 0; g < sb.GroupCount; g++)
        {
            var first = gd.GroupFirstBlock(g);
            var hasSuper = sb.GroupHasSuper(g);
            if (hasSuper)
            {
                Add(first, 1, $"the superblock{(g == 0 ? "" : " backup")} of group {g}");
                Add(first + 1, Math.Min(classic, gd.GroupBlockCount(g) - 1), $"the group descriptor table (or its reserved blocks) of group {g}");
            }

            var inMeta = g % perBlock;
            if (metaBg && g / perBlock >= sb.FirstMetaBg && (inMeta == 0 || inMeta == 1 || inMeta == perBlock - 1))
            {
                Add(first + (hasSuper ? 1 : 0), 1, $"the meta_bg group descriptor block of group {g}");
            }

            Add(gd.BlockBitmap(g), 1, $"the block bitmap of group {g}");
            Add(gd.InodeBitmap(g), 1, $"the inode bitmap of group {g}");
            Add(gd.InodeTable(g), itableBlocks, $"the inode table of group {g}");
        }

        if (sb.HasCompat(Ext4Features.CompatResizeInode))
        {
            var resize = ctx.Inodes.Read(ResizeInode);
            var dind = BinaryPrimitives.ReadUInt32LittleEndian(resize.BlockMap[(13 * 4)..]);
            if (dind >= sb.FirstDataBlock && dind < sb.BlocksCount)
            {
                Add(dind, 1, "the resize inode's index block");
            }
        }

        if (sb.HasIncompat(Ext4Features.IncompatMmp))
        {
            var mmp = (long)BinaryPrimitives.ReadUInt64LittleEndian(sb.Raw.AsSpan(MmpBlockOffset));
            if (mmp >= sb.FirstDataBlock && mmp < sb.BlocksCount)
            {
                Add(mmp, 1, "the MMP block");
            }
        }

        if (sb.HasCompat(Ext4Features.CompatHasJournal) && sb.JournalInode != 0 && !sb.HasIncompat(Ext4Features.IncompatJournalDev))
        {
            var journal = ctx.Inodes.Read(sb.JournalInode);
            var map = FileMap.Read(journal, ctx);
            foreach (var e in map.Extents)
            {
                Add(e.Physical, e.Length, $"the journal (inode {sb.JournalInode})");
            }

            foreach (var b in map.TreeBlocks)
            {
                Add(b, 1, $"the journal's block map (inode {sb.JournalInode})");
            }
        }

        return new SystemZone(parts, sb.FirstDataBlock, sb.BlocksCount);
    }

    /// <summary>Inodes whose blocks are themselves part of the zone (their maps are not checked against it).</summary>
    public static bool IsZoneInode(Ext4Superblock sb, uint inode) =>
        inode == ResizeInode || (inode == sb.JournalInode && sb.HasCompat(Ext4Features.CompatHasJournal));

    /// <summary>Whether any block of [start, start + count) is metadata.</summary>
    public bool Overlaps(long start, long count)
    {
        // Last range starting at or before the end of the query.
        var i = Array.BinarySearch(_starts, start + count - 1);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i >= 0 && _ends[i] > start;
    }

    /// <summary>Refuses a pointer of <paramref name="where"/> to blocks outside the file system or inside the zone.</summary>
    public void Check(long start, long count, string where)
    {
        if (start < _firstDataBlock || count <= 0 || start + count > _blocksCount || start + count < start)
        {
            throw new InvalidImageException($"ext4: {where} points to blocks {start}+{count}, outside the filesystem ({_blocksCount} blocks)");
        }

        if (Overlaps(start, count))
        {
            var part = _parts.First(p => p.Start < start + count && p.End > start);
            var block = Math.Max(start, part.Start);
            throw new InvalidImageException($"ext4: {where} points to block {block}, which is {part.What}");
        }
    }
}
