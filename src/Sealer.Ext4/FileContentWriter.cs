using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// Writes, appends, truncates and releases file content. Data goes straight to newly allocated (or the file's own
/// past-EOF) blocks; the map is then stored back through <see cref="MapWriter"/>. Callers save the inode.
/// </summary>
internal sealed class FileContentWriter(Ext4Context ctx)
{
    private const int ChunkBlocks = 1024;

    public void Replace(Ext4Inode inode, ReadOnlySpan<byte> content)
    {
        var map = FileMap.Read(inode, ctx);
        foreach (var e in map.Extents)
        {
            ctx.Allocator.FreeBlocksLater(e.Physical, e.Length);
        }

        map.Extents.Clear();
        WriteAt(inode, map, 0, content);
        MapWriter.Store(ctx, inode, map);
        inode.Size = content.Length;
    }

    public void Append(Ext4Inode inode, ReadOnlySpan<byte> content)
    {
        var map = FileMap.Read(inode, ctx);
        var offset = inode.Size;
        ZeroTail(map, offset);
        WriteAt(inode, map, offset, content);
        MapWriter.Store(ctx, inode, map);
        inode.Size = checked(offset + content.Length);
    }

    public void Truncate(Ext4Inode inode, long length)
    {
        var map = FileMap.Read(inode, ctx);
        var bs = ctx.BlockSize;
        if (length < inode.Size)
        {
            var keep = (length + bs - 1) / bs;
            for (var i = map.Extents.Count - 1; i >= 0; i--)
            {
                var e = map.Extents[i];
                if (e.End <= keep)
                {
                    break;
                }

                var cut = Math.Max(keep, e.Logical);
                ctx.Allocator.FreeBlocksLater(e.Physical + (cut - e.Logical), e.End - cut);
                if (cut == e.Logical)
                {
                    map.Extents.RemoveAt(i);
                }
                else
                {
                    map.Extents[i] = e with { Length = cut - e.Logical };
                }
            }
        }

        // Zeroing is the last step that touches the device, after everything that could still fail.
        MapWriter.Store(ctx, inode, map);
        ZeroTail(map, Math.Min(length, inode.Size));
        inode.Size = length;
    }

    /// <summary>Frees every block of an inode being deleted (data, map blocks, its share of an xattr block).</summary>
    public void ReleaseAll(Ext4Inode inode)
    {
        ctx.CheckXattrBlock(inode);
        var map = FileMap.Read(inode, ctx);
        foreach (var e in map.Extents)
        {
            ctx.Allocator.FreeBlocksLater(e.Physical, e.Length);
        }

        foreach (var b in map.TreeBlocks)
        {
            ctx.Allocator.FreeBlocksLater(b, 1);
        }

        if (inode.FileAcl != 0)
        {
            XattrBlocks.Release(ctx, inode.FileAcl);
            inode.FileAcl = 0;
        }

        inode.SetSectors(0, ctx.HugeFile, ctx.BlockSize);
    }

    /// <summary>Zeroes the bytes after EOF in the last block, so a later extension reads zeros there.</summary>
    private void ZeroTail(FileMap map, long eof)
    {
        var bs = ctx.BlockSize;
        var inBlock = (int)(eof % bs);
        if (inBlock == 0)
        {
            return;
        }

        var index = map.Find(eof / bs);
        if (index < 0 || map.Extents[index].Unwritten)
        {
            return;
        }

        var e = map.Extents[index];
        var physical = e.Physical + ((eof / bs) - e.Logical);
        ctx.Owners?.CheckInPlaceWrite(physical, 1);
        ctx.Cache.Device.Write((physical * bs) + inBlock, new byte[bs - inBlock]);
    }

    /// <summary>Writes <paramref name="data"/> at byte <paramref name="offset"/>, allocating holes and converting unwritten runs.</summary>
    private void WriteAt(Ext4Inode inode, FileMap map, long offset, ReadOnlySpan<byte> data)
    {
        var bs = ctx.BlockSize;
        var pos = offset;
        var end = checked(offset + data.Length);
        while (pos < end)
        {
            var logical = pos / bs;
            var inBlock = (int)(pos % bs);
            var index = map.Find(logical);
            long physical;
            long blocks;
            var keepHead = false;
            if (index >= 0)
            {
                var e = map.Extents[index];
                blocks = Math.Min(e.End - logical, ChunkBlocks);
                physical = e.Physical + (logical - e.Logical);
                keepHead = !e.Unwritten;
                ctx.Owners?.CheckInPlaceWrite(physical, blocks);
                if (e.Unwritten)
                {
                    blocks = Math.Min(blocks, ((end - (logical * bs)) + bs - 1) / bs);
                    MarkWritten(map, index, logical, blocks);
                }
            }
            else
            {
                var next = ~index;
                var holeEnd = next < map.Extents.Count ? map.Extents[next].Logical : long.MaxValue;
                var wanted = ((end - (logical * bs)) + bs - 1) / bs;
                blocks = Math.Min(Math.Min(wanted, holeEnd - logical), ChunkBlocks);
                var (start, count) = ctx.Allocator.AllocateBlocks(ctx.GoalFor(inode, map), (int)blocks);
                for (var b = start; b < start + count; b++)
                {
                    ctx.Cache.Forget(b);
                }

                blocks = count;
                physical = start;
                map.Extents.Insert(next, new Extent(logical, start, count, false));
            }

            var bytes = (int)Math.Min((blocks * bs) - inBlock, end - pos);
            var buffer = new byte[((inBlock + bytes + bs - 1) / bs) * bs];
            if (keepHead && inBlock != 0)
            {
                ctx.Cache.Device.Read(physical * bs, buffer.AsSpan(0, bs));
            }

            var tailStart = inBlock + bytes;
            if (keepHead && tailStart % bs != 0)
            {
                var last = tailStart / bs;
                ctx.Cache.Device.Read((physical + last) * bs, buffer.AsSpan(last * bs, bs));
            }

            data.Slice((int)(pos - offset), bytes).CopyTo(buffer.AsSpan(inBlock));
            ctx.Cache.Device.Write(physical * bs, buffer);
            pos += bytes;
        }
    }

    private static void MarkWritten(FileMap map, int index, long logical, long blocks)
    {
        var e = map.Extents[index];
        var parts = new List<Extent>();
        if (logical > e.Logical)
        {
            parts.Add(e with { Length = logical - e.Logical });
        }

        parts.Add(new Extent(logical, e.Physical + (logical - e.Logical), blocks, false));
        if (logical + blocks < e.End)
        {
            parts.Add(e with { Logical = logical + blocks, Physical = e.Physical + (logical + blocks - e.Logical), Length = e.End - logical - blocks });
        }

        map.Extents.RemoveAt(index);
        map.Extents.InsertRange(index, parts);
    }
}

/// <summary>Reference counting of shared extended-attribute blocks.</summary>
internal static class XattrBlocks
{
    private const uint Magic = 0xEA020000;

    /// <summary>An inode's xattr block, its magic, block count and (metadata_csum) checksum verified.</summary>
    public static byte[] Read(Ext4Context ctx, long block)
    {
        var data = ctx.Cache.Get(block);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(8)) != 1)
        {
            throw new InvalidImageException($"ext4: xattr block {block} (offset 0x{block * ctx.BlockSize:x}) has a bad magic or block count");
        }

        if (ctx.Sb.MetadataCsum && BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(0x10)) != Checksum(ctx, block, data))
        {
            throw new InvalidImageException($"ext4: xattr block {block} (offset 0x{block * ctx.BlockSize:x}) checksum mismatch");
        }

        return data;
    }

    public static void Release(Ext4Context ctx, long block)
    {
        var data = Read(ctx, block);

        var refs = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        ctx.Owners?.CheckXattrRelease(block, refs);
        if (refs <= 1)
        {
            ctx.Allocator.FreeBlocksLater(block, 1);
            return;
        }

        data = ctx.Cache.GetForWrite(block);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), refs - 1);
        if (ctx.Sb.MetadataCsum)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(0x10), Checksum(ctx, block, data));
        }
    }

    /// <summary>crc32c over the block number (le64) and the block with h_checksum taken as zero.</summary>
    private static uint Checksum(Ext4Context ctx, long block, ReadOnlySpan<byte> data)
    {
        Span<byte> blockLe = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(blockLe, block);
        ReadOnlySpan<byte> zero = [0, 0, 0, 0];
        var crc = Sealer.Core.Checksums.Crc32C.Update(ctx.Sb.ChecksumSeed, blockLe);
        crc = Sealer.Core.Checksums.Crc32C.Update(crc, data[..0x10]);
        crc = Sealer.Core.Checksums.Crc32C.Update(crc, zero);
        return Sealer.Core.Checksums.Crc32C.Update(crc, data[0x14..]);
    }
}
