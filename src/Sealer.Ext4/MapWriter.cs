using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// Stores a file's extent list back into its inode: a fresh extent tree (depth grows and shrinks with the number
/// of extents) for EXTENTS_FL inodes, or direct/indirect blocks for ext2/ext3-style inodes. Old tree blocks are
/// reused first; surplus ones are freed and missing ones allocated. i_blocks is recomputed from scratch.
/// </summary>
internal static class MapWriter
{
    private const int RootCapacity = 4;

    public static void Store(Ext4Context ctx, Ext4Inode inode, FileMap map)
    {
        ctx.CheckXattrBlock(inode);
        var extents = Normalize(map.Extents, inode.HasFlag(Ext4Inode.FlagExtents));
        map.Extents.Clear();
        map.Extents.AddRange(extents);
        var old = new Queue<long>(map.TreeBlocks);
        map.TreeBlocks.Clear();
        long NextBlock()
        {
            var block = old.Count > 0 ? old.Dequeue() : ctx.AllocateRuns(ctx.GoalFor(inode, map), 1)[0].Start;
            map.TreeBlocks.Add(block);
            return block;
        }

        if (inode.HasFlag(Ext4Inode.FlagExtents))
        {
            StoreExtents(ctx, inode, extents, NextBlock);
        }
        else
        {
            StoreIndirect(ctx, inode, extents, NextBlock);
        }

        while (old.Count > 0)
        {
            ctx.Allocator.FreeBlocksLater(old.Dequeue(), 1);
        }

        var blocks = map.DataBlockCount + map.TreeBlocks.Count + (inode.FileAcl != 0 ? 1 : 0);
        inode.SetSectors(blocks * (ctx.BlockSize / 512), ctx.HugeFile, ctx.BlockSize);
    }

    /// <summary>Merges adjacent runs and splits runs longer than one extent can hold.</summary>
    private static List<Extent> Normalize(List<Extent> input, bool extents)
    {
        var result = new List<Extent>();
        foreach (var e in input.OrderBy(x => x.Logical))
        {
            if (result.Count > 0)
            {
                var last = result[^1];
                if (last.Unwritten == e.Unwritten && last.End == e.Logical && last.Physical + last.Length == e.Physical)
                {
                    result[^1] = last with { Length = last.Length + e.Length };
                    continue;
                }
            }

            result.Add(e);
        }

        if (!extents)
        {
            return result;
        }

        var split = new List<Extent>();
        foreach (var e in result)
        {
            var max = e.Unwritten ? 32767 : 32768;
            for (long done = 0; done < e.Length; done += max)
            {
                split.Add(e with { Logical = e.Logical + done, Physical = e.Physical + done, Length = Math.Min(max, e.Length - done) });
            }
        }

        if (split.Count > 0 && split[^1].End > 0xFFFFFFFFL)
        {
            throw new UnsupportedFeatureException("ext4: file larger than 2^32 blocks");
        }

        return split;
    }

    private static void StoreExtents(Ext4Context ctx, Ext4Inode inode, List<Extent> extents, Func<long> nextBlock)
    {
        var perBlock = (ctx.BlockSize - 12) / 12;
        var seed = ctx.Sb.MetadataCsum ? ctx.Inodes.Seed(inode) : 0;

        // Level 0 entries are leaf extents; each level up indexes blocks of the level below.
        var entries = extents.Select(e => (First: e.Logical, Bytes: LeafEntry(e))).ToList();
        ushort depth = 0;
        while (entries.Count > RootCapacity)
        {
            if (depth >= 5)
            {
                throw new UnsupportedFeatureException("ext4: extent tree would exceed depth 5");
            }

            var parents = new List<(long First, byte[] Bytes)>();
            for (var i = 0; i < entries.Count; i += perBlock)
            {
                var chunk = entries.GetRange(i, Math.Min(perBlock, entries.Count - i));
                var block = nextBlock();
                var data = ctx.Cache.CreateZeroed(block);
                WriteNode(data, chunk.Select(c => c.Bytes).ToList(), (ushort)perBlock, depth);
                if (ctx.Sb.MetadataCsum)
                {
                    var tail = 12 + (perBlock * 12);
                    BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(tail), Crc32C.Update(seed, data.AsSpan(0, tail)));
                }

                parents.Add((chunk[0].First, IndexEntry(chunk[0].First, block)));
            }

            entries = parents;
            depth++;
        }

        var root = inode.BlockMap;
        root.Clear();
        WriteNode(root, entries.Select(c => c.Bytes).ToList(), RootCapacity, depth);
    }

    private static void WriteNode(Span<byte> node, List<byte[]> entries, ushort max, ushort depth)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(node, FileMap.ExtentMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(node[2..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(node[4..], max);
        BinaryPrimitives.WriteUInt16LittleEndian(node[6..], depth);
        BinaryPrimitives.WriteUInt32LittleEndian(node[8..], 0);
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].CopyTo(node[(12 + (i * 12))..]);
        }
    }

    private static byte[] LeafEntry(Extent e)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)e.Logical);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), (ushort)(e.Unwritten ? e.Length + 32768 : e.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), (ushort)(e.Physical >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)e.Physical);
        return b;
    }

    private static byte[] IndexEntry(long first, long block)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)first);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)block);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)(block >> 32));
        return b;
    }

    private static void StoreIndirect(Ext4Context ctx, Ext4Inode inode, List<Extent> extents, Func<long> nextBlock)
    {
        var perBlock = ctx.BlockSize / 4;
        var root = inode.BlockMap;
        root.Clear();
        var nodes = new Dictionary<(int Kind, long Index), long>();
        long Node(int kind, long index)
        {
            if (!nodes.TryGetValue((kind, index), out var block))
            {
                block = nextBlock();
                nodes[(kind, index)] = block;
                ctx.Cache.CreateZeroed(block);
            }

            return block;
        }

        void Put(long block, long index, long value) =>
            BinaryPrimitives.WriteUInt32LittleEndian(ctx.Cache.GetForWrite(block).AsSpan((int)(index * 4)), (uint)value);

        var single = (long)perBlock;
        var dbl = single * perBlock;
        var triple = dbl * perBlock;
        foreach (var e in extents)
        {
            if (e.Unwritten || e.Physical + e.Length > 0x1_0000_0000L)
            {
                throw new InvalidImageException($"ext4: indirect-mapped inode {inode.Number} cannot hold extent at block {e.Physical}");
            }

            for (long k = 0; k < e.Length; k++)
            {
                var l = e.Logical + k;
                var p = e.Physical + k;
                if (l < 12)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(root[(int)(l * 4)..], (uint)p);
                    continue;
                }

                l -= 12;
                if (l < single)
                {
                    var s = Node(1, 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(root[48..], (uint)s);
                    Put(s, l, p);
                    continue;
                }

                l -= single;
                if (l < dbl)
                {
                    var d = Node(2, 0);
                    BinaryPrimitives.WriteUInt32LittleEndian(root[52..], (uint)d);
                    var c = Node(3, l / single);
                    Put(d, l / single, c);
                    Put(c, l % single, p);
                    continue;
                }

                l -= dbl;
                if (l >= triple)
                {
                    throw new UnsupportedFeatureException("ext4: file too large for an indirect block map");
                }

                var t = Node(4, 0);
                BinaryPrimitives.WriteUInt32LittleEndian(root[56..], (uint)t);
                var m = Node(5, l / dbl);
                Put(t, l / dbl, m);
                var leaf = Node(6, l / single);
                Put(m, l / single % perBlock, leaf);
                Put(leaf, l % single, p);
            }
        }
    }
}
