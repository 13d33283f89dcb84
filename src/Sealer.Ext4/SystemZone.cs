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
    private readonly Part[] _parts;
    private readonly long _firstDataBlock;
    private readonly long _blocksCount;

    private SystemZone(List<Part> parts, long firstDataBlock, long blocksCount)
    {
        // Sorted by start through a plain key array (flex_bg layouts are nearly sorted already; no strings are made
        // here, so a 1 TiB file system with 8192 groups costs a few milliseconds).
        var sorted = parts.ToArray();
        var keys = sorted.Select(p => p.Start).ToArray();
        Array.Sort(keys, sorted);
        var starts = new List<long>();
        var ends = new List<long>();
        foreach (var part in sorted)
        {
            if (starts.Count > 0 && part.Start <= ends[^1])
            {
                ends[^1] = Math.Max(ends[^1], part.End);
                continue;
            }

            starts.Add(part.Start);
            ends.Add(part.End);
        }

        _starts = [.. starts];
        _ends = [.. ends];
        _parts = sorted;
        _firstDataBlock = firstDataBlock;
        _blocksCount = blocksCount;
    }

    private enum Kind
    {
        Superblock,
        BackupSuperblock,
        Gdt,
        MetaBgDescriptor,
        BlockBitmap,
        InodeBitmap,
        InodeTable,
        ResizeIndex,
        Mmp,
        Journal,
        JournalMap,
    }

    private readonly record struct Part(long Start, long End, Kind What, long Where)
    {
        public string Describe() => What switch
        {
            Kind.Superblock => "the superblock",
            Kind.BackupSuperblock => $"the superblock backup of group {Where}",
            Kind.Gdt => $"the group descriptor table (or its reserved blocks) of group {Where}",
            Kind.MetaBgDescriptor => $"the meta_bg group descriptor block of group {Where}",
            Kind.BlockBitmap => $"the block bitmap of group {Where}",
            Kind.InodeBitmap => $"the inode bitmap of group {Where}",
            Kind.InodeTable => $"the inode table of group {Where}",
            Kind.ResizeIndex => "the resize inode's index block",
            Kind.Mmp => "the MMP block",
            Kind.Journal => $"the journal (inode {Where})",
            _ => $"the journal's block map (inode {Where})",
        };
    }

    /// <summary>No metadata known (the throw-away context of a journal replay).</summary>
    public static SystemZone Empty(Ext4Superblock sb) => new([], sb.FirstDataBlock, sb.BlocksCount);

    /// <summary>Merged ranges; shows how small the zone is (a few per flex group).</summary>
    public int RangeCount => _starts.Length;

    public static SystemZone Build(Ext4Context ctx)
    {
        var sb = ctx.Sb;
        var gd = ctx.Groups;
        var parts = new List<Part>(sb.GroupCount * 3);
        void Add(long start, long count, Kind what, long where)
        {
            if (count > 0)
            {
                parts.Add(new Part(start, start + count, what, where));
            }
        }

        var metaBg = sb.HasIncompat(Ext4Features.IncompatMetaBg);
        var perBlock = sb.BlockSize / sb.DescriptorSize;
        var classic = gd.ClassicGdtBlocks + (metaBg ? 0 : sb.ReservedGdtBlocks);
        var itableBlocks = ((long)sb.InodesPerGroup * sb.InodeSize + sb.BlockSize - 1) / sb.BlockSize;
        if (sb.FirstDataBlock == 0)
        {
            Add(0, 1, Kind.Superblock, 0);
        }

        for (var g = 0; g < sb.GroupCount; g++)
        {
            var first = gd.GroupFirstBlock(g);
            var hasSuper = sb.GroupHasSuper(g);
            if (hasSuper)
            {
                Add(first, 1, g == 0 ? Kind.Superblock : Kind.BackupSuperblock, g);
                Add(first + 1, Math.Min(classic, gd.GroupBlockCount(g) - 1), Kind.Gdt, g);
            }

            var inMeta = g % perBlock;
            if (metaBg && g / perBlock >= sb.FirstMetaBg && (inMeta == 0 || inMeta == 1 || inMeta == perBlock - 1))
            {
                Add(first + (hasSuper ? 1 : 0), 1, Kind.MetaBgDescriptor, g);
            }

            Add(gd.BlockBitmap(g), 1, Kind.BlockBitmap, g);
            Add(gd.InodeBitmap(g), 1, Kind.InodeBitmap, g);
            Add(gd.InodeTable(g), itableBlocks, Kind.InodeTable, g);
        }

        if (sb.HasCompat(Ext4Features.CompatResizeInode))
        {
            var resize = ctx.Inodes.Read(ResizeInode);
            var dind = BinaryPrimitives.ReadUInt32LittleEndian(resize.BlockMap[(13 * 4)..]);
            if (dind >= sb.FirstDataBlock && dind < sb.BlocksCount)
            {
                Add(dind, 1, Kind.ResizeIndex, ResizeInode);
            }
        }

        if (sb.HasIncompat(Ext4Features.IncompatMmp))
        {
            var mmp = (long)BinaryPrimitives.ReadUInt64LittleEndian(sb.Raw.AsSpan(MmpBlockOffset));
            if (mmp >= sb.FirstDataBlock && mmp < sb.BlocksCount)
            {
                Add(mmp, 1, Kind.Mmp, 0);
            }
        }

        if (sb.HasCompat(Ext4Features.CompatHasJournal) && sb.JournalInode != 0 && !sb.HasIncompat(Ext4Features.IncompatJournalDev))
        {
            var journal = ctx.Inodes.Read(sb.JournalInode);
            var map = FileMap.Read(journal, ctx);
            foreach (var e in map.Extents)
            {
                Add(e.Physical, e.Length, Kind.Journal, sb.JournalInode);
            }

            foreach (var b in map.TreeBlocks)
            {
                Add(b, 1, Kind.JournalMap, sb.JournalInode);
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
            throw new InvalidImageException($"ext4: {where} points to block {block}, which is {part.Describe()}");
        }
    }
}
