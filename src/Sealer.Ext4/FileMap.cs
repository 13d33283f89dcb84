using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>A run of logical blocks mapped to consecutive physical blocks; unwritten runs read as zeros.</summary>
internal readonly record struct Extent(long Logical, long Physical, long Length, bool Unwritten) : Core.FileSystems.IBlockRun
{
    public long End => Logical + Length;
}

/// <summary>
/// A file's whole block map, flattened to sorted extents, plus the tree blocks (extent index/leaf or indirect
/// blocks) that hold it. Reading validates every header, range, ordering and checksum, with depth and loop limits.
/// </summary>
internal sealed class FileMap
{
    public const ushort ExtentMagic = 0xF30A;
    private const int MaxDepth = 5;

    public List<Extent> Extents { get; } = [];

    public List<long> TreeBlocks { get; } = [];

    public long DataBlockCount => Extents.Sum(e => e.Length);

    /// <summary>Index of the extent containing <paramref name="logical"/>, or ~insertionPoint.</summary>
    public int Find(long logical) => Core.FileSystems.BlockRuns.Find(Extents, logical);

    public static FileMap Read(Ext4Inode inode, Ext4Context ctx)
    {
        var map = new FileMap();
        if (inode.HasFlag(Ext4Inode.FlagInlineData) || IsFastSymlink(inode) || HasNoBlocks(inode.Kind))
        {
            return map;
        }

        if (inode.HasFlag(Ext4Inode.FlagExtents))
        {
            var visited = new HashSet<long>();
            map.ReadExtentNode(inode, ctx, inode.BlockMap, MaxDepth + 1, -1, visited, $"inode {inode.Number} i_block");
        }
        else
        {
            map.ReadIndirect(inode, ctx);
        }

        return map;
    }

    /// <summary>Device nodes keep their device number in i_block, and FIFOs and sockets have no content: none of them
    /// has a block map, whatever i_block or the flags say (as the kernel and e2fsck treat them).</summary>
    private static bool HasNoBlocks(Sealer.Core.FileSystems.FileKind kind) => kind is Sealer.Core.FileSystems.FileKind.CharacterDevice
        or Sealer.Core.FileSystems.FileKind.BlockDevice or Sealer.Core.FileSystems.FileKind.Fifo or Sealer.Core.FileSystems.FileKind.Socket;

    public static bool IsFastSymlink(Ext4Inode inode) =>
        inode.Kind == Sealer.Core.FileSystems.FileKind.Symlink && inode.Size > 0 && inode.Size < Ext4Inode.BlockMapSize &&
        !inode.HasFlag(Ext4Inode.FlagInlineData);

    private void ReadExtentNode(Ext4Inode inode, Ext4Context ctx, ReadOnlySpan<byte> node, int expectedDepth, long blockNo, HashSet<long> visited, string where)
    {
        var magic = BinaryPrimitives.ReadUInt16LittleEndian(node);
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(node[2..]);
        var max = BinaryPrimitives.ReadUInt16LittleEndian(node[4..]);
        var depth = BinaryPrimitives.ReadUInt16LittleEndian(node[6..]);
        if (magic != ExtentMagic || entries > max || 12 + (max * 12) > node.Length || depth > MaxDepth ||
            (expectedDepth <= MaxDepth && depth != expectedDepth))
        {
            throw new InvalidImageException($"ext4: bad extent header in {where} (magic 0x{magic:x4}, {entries}/{max} entries, depth {depth})");
        }

        if (blockNo >= 0 && ctx.Sb.MetadataCsum)
        {
            var tailOffset = 12 + (max * 12);
            if (tailOffset + 4 <= node.Length &&
                BinaryPrimitives.ReadUInt32LittleEndian(node[tailOffset..]) != Crc32C.Update(ctx.Inodes.Seed(inode), node[..tailOffset]))
            {
                throw new InvalidImageException($"ext4: extent block checksum mismatch in {where}");
            }
        }

        for (var i = 0; i < entries; i++)
        {
            var e = node.Slice(12 + (i * 12), 12);
            var logical = (long)BinaryPrimitives.ReadUInt32LittleEndian(e);
            if (depth == 0)
            {
                var rawLen = BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
                var physical = ((long)BinaryPrimitives.ReadUInt16LittleEndian(e[6..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
                var unwritten = rawLen > 32768;
                var length = unwritten ? rawLen - 32768 : rawLen;
                if (length == 0 || physical < ctx.Sb.FirstDataBlock || physical + length > ctx.Sb.BlocksCount)
                {
                    throw new InvalidImageException($"ext4: extent {i} in {where} maps outside the filesystem (block {physical}, length {length})");
                }

                if (InZone(ctx, inode, physical, length))
                {
                    ctx.Zone.Check(physical, length, $"extent {i} in {where}");
                }

                Add(new Extent(logical, physical, length, unwritten), where);
            }
            else
            {
                var child = ((long)BinaryPrimitives.ReadUInt16LittleEndian(e[8..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(e[4..]);
                if (child < ctx.Sb.FirstDataBlock || child >= ctx.Sb.BlocksCount || !visited.Add(child))
                {
                    throw new InvalidImageException($"ext4: extent index {i} in {where} points to invalid or repeated block {child}");
                }

                if (InZone(ctx, inode, child, 1))
                {
                    ctx.Zone.Check(child, 1, $"extent index {i} in {where}");
                }

                TreeBlocks.Add(child);
                var childData = ctx.Cache.Get(child);
                ReadExtentNode(inode, ctx, childData, depth - 1, child, visited, $"extent block {child} (offset 0x{child * ctx.Sb.BlockSize:x}) of inode {inode.Number}");
            }
        }
    }

    private void ReadIndirect(Ext4Inode inode, Ext4Context ctx)
    {
        var map = inode.BlockMap;
        var perBlock = ctx.Sb.BlockSize / 4;
        var visited = new HashSet<long>();
        for (var i = 0; i < 12; i++)
        {
            AddBlock(i, BinaryPrimitives.ReadUInt32LittleEndian(map[(i * 4)..]), ctx, inode);
        }

        long logical = 12;
        for (var level = 1; level <= 3; level++)
        {
            var span = 1L;
            for (var k = 0; k < level; k++)
            {
                span *= perBlock;
            }

            var root = BinaryPrimitives.ReadUInt32LittleEndian(map[((11 + level) * 4)..]);
            if (root != 0)
            {
                ReadIndirectBlock(root, level, logical, perBlock, ctx, inode, visited);
            }

            logical += span;
        }
    }

    private void ReadIndirectBlock(long block, int level, long firstLogical, int perBlock, Ext4Context ctx, Ext4Inode inode, HashSet<long> visited)
    {
        if (block < ctx.Sb.FirstDataBlock || block >= ctx.Sb.BlocksCount || !visited.Add(block))
        {
            throw new InvalidImageException($"ext4: indirect block {block} of inode {inode.Number} is out of range or repeated");
        }

        if (InZone(ctx, inode, block, 1))
        {
            ctx.Zone.Check(block, 1, $"the level-{level} indirect block pointer of inode {inode.Number}");
        }

        TreeBlocks.Add(block);
        var data = ctx.Cache.Get(block);
        var childSpan = 1L;
        for (var k = 1; k < level; k++)
        {
            childSpan *= perBlock;
        }

        for (var i = 0; i < perBlock; i++)
        {
            var child = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(i * 4));
            if (child == 0)
            {
                continue;
            }

            var logical = firstLogical + (i * childSpan);
            if (level == 1)
            {
                AddBlock(logical, child, ctx, inode);
            }
            else
            {
                ReadIndirectBlock(child, level - 1, logical, perBlock, ctx, inode, visited);
            }
        }
    }

    private void AddBlock(long logical, uint physical, Ext4Context ctx, Ext4Inode inode)
    {
        if (physical == 0)
        {
            return;
        }

        if (physical < ctx.Sb.FirstDataBlock || physical >= ctx.Sb.BlocksCount)
        {
            throw new InvalidImageException($"ext4: inode {inode.Number} maps logical block {logical} to out-of-range block {physical}");
        }

        if (InZone(ctx, inode, physical, 1))
        {
            ctx.Zone.Check(physical, 1, $"logical block {logical} of inode {inode.Number}");
        }

        if (Extents.Count > 0)
        {
            var last = Extents[^1];
            if (!last.Unwritten && last.End == logical && last.Physical + last.Length == physical && last.Length < 32768)
            {
                Extents[^1] = last with { Length = last.Length + 1 };
                return;
            }
        }

        Add(new Extent(logical, physical, 1, false), $"inode {inode.Number} block map");
    }

    /// <summary>A file's blocks never lie in the system zone (only the journal and resize inodes own zone blocks);
    /// the caller builds the message only when this is true.</summary>
    private static bool InZone(Ext4Context ctx, Ext4Inode inode, long start, long count) =>
        ctx.Zone.Overlaps(start, count) && !SystemZone.IsZoneInode(ctx.Sb, inode.Number);

    private void Add(Extent extent, string where)
    {
        if (Extents.Count > 0 && extent.Logical < Extents[^1].End)
        {
            throw new InvalidImageException($"ext4: extents out of order or overlapping at logical block {extent.Logical} in {where}");
        }

        if (Extents.Count > 50_000_000)
        {
            throw new InvalidImageException($"ext4: too many extents in {where}");
        }

        Extents.Add(extent);
    }
}
