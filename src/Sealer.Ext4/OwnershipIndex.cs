using System.Buffers.Binary;
using System.Diagnostics;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// Proves, before a run frees, allocates or rewrites a block, that the block is owned as the run thinks: the first
/// time a writable file system is about to change anything but an inode or a bitmap, one scan reads every used inode
/// (bounded by the used inodes: INODE_UNINIT groups and the itable_unused tail are skipped) and records which blocks
/// their maps, map blocks and xattr blocks claim. Then
/// <list type="bullet">
/// <item>a block is only allocated when no inode claims it and it is not metadata (the bitmap alone is not trusted),</item>
/// <item>a block is only freed or rewritten in place when no second inode claims it (cross-linked files are refused),</item>
/// <item>an inode is only allocated when its table entry is not in use, and an in-use inode the inode bitmap calls
/// free refuses the run (metadata_csum file systems, where such an entry can be told from stale bytes).</item>
/// </list>
/// A map the scan cannot read (bad checksum, bad header, pointer into the system zone) refuses the run too: what
/// cannot be read cannot be proven free.
/// </summary>
internal sealed class OwnershipIndex(Ext4Context ctx)
{
    private const uint BadBlocksInode = 1;
    private const uint XattrOwner = 0;
    private const int ChunkBlocks = 64;

    private readonly BlockRanges _freedThisRun = new();
    private readonly Dictionary<long, int> _xattrRefs = [];
    private BlockRanges? _claimed;
    private List<(long Start, long End, uint A, uint B)> _shared = [];

    public bool Scanned => _claimed is not null;

    /// <summary>Cost of the scan (for the report and the benchmark).</summary>
    public TimeSpan ScanTime { get; private set; }

    public int InodesScanned { get; private set; }

    public void EnsureScanned()
    {
        if (_claimed is not null)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        var claims = new List<(long Start, long End, uint Owner)>();
        for (var g = 0; g < ctx.Sb.GroupCount; g++)
        {
            ScanGroup(g, claims);
        }

        claims.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        var shared = new List<(long, long, uint, uint)>();
        long reach = -1;
        uint reachOwner = 0;
        foreach (var (start, end, owner) in claims)
        {
            if (start < reach)
            {
                shared.Add((start, Math.Min(end, reach), reachOwner, owner));
            }

            if (end > reach)
            {
                reach = end;
                reachOwner = owner;
            }
        }

        _shared = shared;
        _claimed = BlockRanges.FromSorted(claims.Select(c => (c.Start, c.End)));
        ScanTime = watch.Elapsed;
    }

    /// <summary>A block run about to be freed: not claimed by a second inode, and not metadata.</summary>
    public void CheckFree(long start, long count)
    {
        ctx.Zone.Check(start, count, $"a free of blocks {start}+{count}");
        EnsureScanned();
        RefuseShared(start, count, "freed");
    }

    /// <summary>A block run about to be changed in place (directory, map or xattr block, file data).</summary>
    public void CheckInPlaceWrite(long start, long count)
    {
        if (ctx.Zone.Overlaps(start, count))
        {
            return;
        }

        EnsureScanned();
        RefuseShared(start, count, "rewritten");
    }

    /// <summary>A run the block bitmap calls free, about to be allocated: no inode may claim it, nor the metadata.</summary>
    public void CheckAllocate(int group, long start, long count)
    {
        if (ctx.Zone.Overlaps(start, count))
        {
            ctx.Zone.Check(start, count, $"the block bitmap of group {group} (it marks free)");
        }

        EnsureScanned();
        var block = _claimed!.FirstInExcept(start, start + count, _freedThisRun);
        if (block >= 0)
        {
            throw new InvalidImageException(
                $"ext4: block {block} is free in the block bitmap of group {group} but is used by {Owner(block)}");
        }
    }

    /// <summary>Blocks this run has freed may be reused by it.</summary>
    public void NoteFreed(long start, long count) => _freedThisRun.Add(start, start + count);

    /// <summary>An inode the inode bitmap calls free, about to be allocated: its table entry must not be in use.</summary>
    public void CheckInodeAllocate(int group, uint number)
    {
        var index = (int)((number - 1) % (uint)ctx.Sb.InodesPerGroup);
        if (!IsInitialised(group, index))
        {
            return;
        }

        var inode = new Ext4Inode(number, ReadRaw(number));
        if (LooksInUse(inode))
        {
            throw new InvalidImageException(
                $"ext4: inode {number} is free in the inode bitmap of group {group} but in use (mode 0{Convert.ToString(inode.Mode, 8)}, {inode.LinksCount} links)");
        }
    }

    /// <summary>An xattr block about to lose a reference: its refcount must cover every inode the scan found using it.</summary>
    public void CheckXattrRelease(long block, uint refcount)
    {
        EnsureScanned();
        var users = _xattrRefs.GetValueOrDefault(block);
        if (refcount <= 1 && users > 1)
        {
            throw new InvalidImageException($"ext4: xattr block {block} has refcount {refcount} but {users} inodes use it");
        }

        if (users > 0)
        {
            _xattrRefs[block] = users - 1;
        }
    }

    private void RefuseShared(long start, long count, string verb)
    {
        foreach (var (s, e, a, b) in _shared)
        {
            if (s < start + count && e > start)
            {
                throw new InvalidImageException(
                    $"ext4: block {Math.Max(s, start)} would be {verb} but is claimed by both {Name(a)} and {Name(b)} (cross-linked)");
            }
        }
    }

    private string Owner(long block)
    {
        // Error path only: find who claimed the block (the scan keeps no per-block owner to stay small).
        for (var g = 0; g < ctx.Sb.GroupCount; g++)
        {
            var claims = new List<(long Start, long End, uint Owner)>();
            ScanGroup(g, claims, collectXattr: false);
            foreach (var c in claims)
            {
                if (c.Start <= block && block < c.End)
                {
                    return Name(c.Owner);
                }
            }
        }

        return "an inode";
    }

    private static string Name(uint owner) => owner == XattrOwner ? "an xattr block" : $"inode {owner}";

    private static bool LooksInUse(Ext4Inode inode) => inode.Mode != 0 && inode.LinksCount > 0 && inode.DeletionTime == 0;

    /// <summary>Whether the inode table entry has been written (lazy_itable_init leaves the unused tail unwritten).</summary>
    private bool IsInitialised(int group, int index)
    {
        if (!ctx.Sb.MetadataCsum && !ctx.Sb.GdtCsum)
        {
            return true;
        }

        return (ctx.Groups.Flags(group) & GroupDescriptors.FlagInodeUninit) == 0 &&
               index < ctx.Sb.InodesPerGroup - ctx.Groups.ItableUnused(group);
    }

    private byte[] ReadRaw(uint number)
    {
        var (block, offset) = ctx.Inodes.Where(number);
        var buffer = new byte[ctx.BlockSize];
        ctx.Cache.ReadUncached(block, 1, buffer);
        return buffer.AsSpan(offset, ctx.Sb.InodeSize).ToArray();
    }

    private void ScanGroup(int g, List<(long Start, long End, uint Owner)> claims, bool collectXattr = true)
    {
        var sb = ctx.Sb;
        var csum = sb.MetadataCsum || sb.GdtCsum;
        var flags = ctx.Groups.Flags(g);
        if (csum && (flags & GroupDescriptors.FlagInodeUninit) != 0)
        {
            return;
        }

        // Without uninit_bg there is no itable_unused: trust the descriptor's free count to skip empty groups
        // (reading every inode table of a large ext2/ext3 would cost as much as the file system is big).
        var limit = csum ? sb.InodesPerGroup - ctx.Groups.ItableUnused(g) : sb.InodesPerGroup;
        if (limit <= 0 || (!csum && ctx.Groups.FreeInodes(g) >= sb.InodesPerGroup))
        {
            return;
        }

        var bitmap = ctx.Allocator.ReadInodeBitmap(g);
        var perBlock = sb.BlockSize / sb.InodeSize;
        var table = ctx.Groups.InodeTable(g);
        var chunk = new byte[ChunkBlocks * sb.BlockSize];
        long chunkFirst = -1;
        for (var index = 0; index < limit; index++)
        {
            var number = ((uint)g * (uint)sb.InodesPerGroup) + (uint)index + 1;
            if (number > sb.InodesCount)
            {
                break;
            }

            var used = (bitmap[index >> 3] & (1 << (index & 7))) != 0;
            if (!used && !sb.MetadataCsum)
            {
                continue;
            }

            var block = index / perBlock;
            if (chunkFirst < 0 || block < chunkFirst || block >= chunkFirst + ChunkBlocks)
            {
                chunkFirst = block;
                var tableBlocks = ((long)sb.InodesPerGroup * sb.InodeSize + sb.BlockSize - 1) / sb.BlockSize;
                var n = (int)Math.Min(ChunkBlocks, tableBlocks - block);
                ctx.Cache.ReadUncached(table + block, n, chunk);
            }

            var at = (int)(((block - chunkFirst) * sb.BlockSize) + (index % perBlock * sb.InodeSize));
            var raw = chunk.AsSpan(at, sb.InodeSize);
            var offset = ((table + block) * sb.BlockSize) + (index % perBlock * sb.InodeSize);
            if (!used)
            {
                var stale = new Ext4Inode(number, raw.ToArray());
                if (LooksInUse(stale) && ctx.Inodes.ChecksumMatches(stale, out _))
                {
                    throw new InvalidImageException(
                        $"ext4: inode {number} is in use ({stale.LinksCount} links) but free in the inode bitmap of group {g}");
                }

                continue;
            }

            if (!raw.ContainsAnyExcept((byte)0))
            {
                continue;
            }

            var inode = ctx.Inodes.Parse(number, raw, offset);
            if ((inode.Mode == 0 && number != BadBlocksInode) || SystemZone.IsZoneInode(sb, number))
            {
                continue;
            }

            InodesScanned++;
            Claim(inode, claims, collectXattr);
        }
    }

    private void Claim(Ext4Inode inode, List<(long Start, long End, uint Owner)> claims, bool collectXattr)
    {
        var map = FileMap.Read(inode, ctx);
        foreach (var e in map.Extents)
        {
            claims.Add((e.Physical, e.Physical + e.Length, inode.Number));
        }

        foreach (var b in map.TreeBlocks)
        {
            claims.Add((b, b + 1, inode.Number));
        }

        if (inode.FileAcl == 0 || !collectXattr)
        {
            return;
        }

        ctx.CheckXattrBlock(inode);
        var acl = inode.FileAcl;
        if (_xattrRefs.TryGetValue(acl, out var n))
        {
            _xattrRefs[acl] = n + 1;
            return;
        }

        var data = XattrBlocks.Read(ctx, acl);
        _xattrRefs[acl] = 1;
        var refcount = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        claims.Add((acl, acl + 1, refcount == 0 ? inode.Number : XattrOwner));
    }
}
