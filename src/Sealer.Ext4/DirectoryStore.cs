using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>One directory entry as found on disk.</summary>
internal readonly record struct RawDirEntry(string Name, uint Inode, byte FileType, long LogicalBlock, int Offset);

/// <summary>
/// Linear access to directory blocks: enumeration (htree directories read linearly too: their dx blocks hide
/// behind entries that cover the whole index), insertion, removal and re-targeting of entries. Inserting into an
/// htree directory first converts it to a linear directory (INDEX_FL cleared, dx blocks rewritten as empty leaves).
/// </summary>
internal sealed class DirectoryStore(Ext4Context ctx)
{
    private const int TailSize = 12;
    private const int MaxNameLength = 255;

    private bool Csum => ctx.Sb.MetadataCsum;

    public IEnumerable<RawDirEntry> Enumerate(Ext4Inode dir)
    {
        if (dir.HasFlag(Ext4Inode.FlagInlineData))
        {
            return InlineData.ReadDirectory(ctx, dir);
        }

        return EnumerateBlocks(dir);
    }

    public RawDirEntry? Find(Ext4Inode dir, string name)
    {
        foreach (var e in Enumerate(dir))
        {
            if (e.Name == name)
            {
                return e;
            }
        }

        return null;
    }

    public void Add(Ext4Inode dir, string name, uint inode, byte fileType)
    {
        var nameBytes = CheckName(name);
        CheckWritable(dir);
        if (dir.HasFlag(Ext4Inode.FlagIndex))
        {
            Linearize(dir);
        }

        var needed = RecordLength(nameBytes.Length);
        var map = FileMap.Read(dir, ctx);
        var bs = ctx.BlockSize;
        var maxLogical = (dir.Size + bs - 1) / bs;
        foreach (var e in map.Extents)
        {
            // Only the blocks that lookups read (below i_size, written): an entry put anywhere else is never found again.
            for (long i = 0; i < e.Length && e.Logical + i < maxLogical && !e.Unwritten; i++)
            {
                var block = e.Physical + i;
                var data = ctx.Cache.Get(block);
                Verify(dir, e.Logical + i, block, data);
                var end = UsableEnd(data);
                var offset = 0;
                while (offset < end)
                {
                    var (entryInode, recLen, nameLen) = ParseHeader(data, offset, end, block);
                    var used = entryInode == 0 ? 0 : RecordLength(nameLen);
                    if (recLen - used >= needed)
                    {
                        data = ctx.Cache.GetForWrite(block);
                        int at;
                        if (used == 0)
                        {
                            at = offset;
                            needed = recLen;
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(offset + 4), (ushort)used);
                            at = offset + used;
                            needed = recLen - used;
                        }

                        WriteEntry(data, at, needed, inode, fileType, nameBytes);
                        Seal(dir, data);
                        return;
                    }

                    offset += recLen;
                }
            }
        }

        // No room: append one block to the directory.
        var logical = dir.Size / bs;
        var runs = ctx.AllocateRuns(ctx.GoalFor(dir, map), 1);
        map.Extents.Add(new Extent(logical, runs[0].Start, 1, false));
        var fresh = ctx.Cache.CreateZeroed(runs[0].Start);
        WriteEntry(fresh, 0, bs - (Csum ? TailSize : 0), inode, fileType, nameBytes);
        Seal(dir, fresh);
        MapWriter.Store(ctx, dir, map);
        dir.Size += bs;
    }

    public void Remove(Ext4Inode dir, string name)
    {
        CheckWritable(dir);
        var entry = Find(dir, name) ?? throw new GuestFileSystemException(FsError.NotFound, name, "no such entry");
        var (block, data) = BlockForWrite(dir, entry.LogicalBlock);
        var end = UsableEnd(data);
        var offset = 0;
        var previous = -1;
        while (offset < entry.Offset)
        {
            previous = offset;
            offset += ParseHeader(data, offset, end, block).RecLen;
        }

        var recLen = ParseHeader(data, entry.Offset, end, block).RecLen;
        if (previous >= 0)
        {
            var prevLen = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(previous + 4));
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(previous + 4), (ushort)(prevLen + recLen));
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(entry.Offset), 0);
        }

        Seal(dir, data);
    }

    /// <summary>Points an existing entry at another inode (rename over an existing name; '..' of a moved directory).</summary>
    public void Retarget(Ext4Inode dir, RawDirEntry entry, uint inode, byte fileType)
    {
        CheckWritable(dir);
        var (_, data) = BlockForWrite(dir, entry.LogicalBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(entry.Offset), inode);
        if (ctx.Sb.HasIncompat(Ext4Features.IncompatFileType))
        {
            data[entry.Offset + 7] = fileType;
        }

        Seal(dir, data);
    }

    /// <summary>Writes the first block of a new directory ("." and "..").</summary>
    public void InitializeBlock(Ext4Inode dir, long block, uint parent)
    {
        var data = ctx.Cache.CreateZeroed(block);
        WriteEntry(data, 0, 12, dir.Number, 2, "."u8);
        WriteEntry(data, 12, ctx.BlockSize - 12 - (Csum ? TailSize : 0), parent, 2, ".."u8);
        Seal(dir, data);
    }

    public bool IsEmpty(Ext4Inode dir) => Enumerate(dir).All(e => e.Name is "." or "..");

    private IEnumerable<RawDirEntry> EnumerateBlocks(Ext4Inode dir)
    {
        var map = FileMap.Read(dir, ctx);
        var bs = ctx.BlockSize;
        var maxLogical = (dir.Size + bs - 1) / bs;
        foreach (var e in map.Extents)
        {
            for (long i = 0; i < e.Length && e.Logical + i < maxLogical; i++)
            {
                if (e.Unwritten)
                {
                    continue;
                }

                var block = e.Physical + i;
                var data = ctx.Cache.Get(block);
                Verify(dir, e.Logical + i, block, data);
                var end = UsableEnd(data);
                var offset = 0;
                var found = new List<RawDirEntry>();
                while (offset < end)
                {
                    var (inode, recLen, nameLen) = ParseHeader(data, offset, end, block);
                    if (inode != 0)
                    {
                        if (inode > ctx.Sb.InodesCount)
                        {
                            throw new InvalidImageException(
                                $"ext4: directory entry at offset 0x{(block * bs) + offset:x} names inode {inode} beyond {ctx.Sb.InodesCount}");
                        }

                        var name = Encoding.UTF8.GetString(data, offset + 8, nameLen);
                        found.Add(new RawDirEntry(name, inode, data[offset + 7], e.Logical + i, offset));
                    }

                    offset += recLen;
                }

                foreach (var f in found)
                {
                    yield return f;
                }
            }
        }
    }

    /// <summary>Reads inode, rec_len and name_len, checking rec_len against the block.</summary>
    private (uint Inode, int RecLen, int NameLen) ParseHeader(byte[] data, int offset, int end, long block)
    {
        if (offset + 8 > end)
        {
            throw BadEntry(block, offset, "header past the end of the block");
        }

        var inode = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
        int recLen = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 4));
        if (ctx.BlockSize == 65536 && (recLen == 65535 || recLen == 0))
        {
            recLen = 65536;
        }

        var nameLen = ctx.Sb.HasIncompat(Ext4Features.IncompatFileType)
            ? data[offset + 6]
            : BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 6)) & 0xFF;
        if (recLen < 12 || recLen % 4 != 0 || offset + recLen > end || 8 + nameLen > recLen)
        {
            throw BadEntry(block, offset, $"rec_len {recLen} / name_len {nameLen} invalid");
        }

        return (inode, recLen, nameLen);
    }

    private InvalidImageException BadEntry(long block, int offset, string what) =>
        new($"ext4: directory entry at offset 0x{(block * ctx.BlockSize) + offset:x}: {what}");

    /// <summary>
    /// Verifies a directory block's metadata_csum checksum, as the kernel does on every directory read: the
    /// ext4_dir_entry_tail of a leaf block, or the dx_tail of an htree index block (the root at logical block 0 of an
    /// INDEX_FL directory, or an interior node: one empty entry spanning the whole block).
    /// </summary>
    private void Verify(Ext4Inode dir, long logical, long block, byte[] data)
    {
        if (!Csum)
        {
            return;
        }

        var bs = data.Length;
        var firstInode = BinaryPrimitives.ReadUInt32LittleEndian(data);
        int firstRec = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
        if (dir.HasFlag(Ext4Inode.FlagIndex) && (logical == 0 || (firstInode == 0 && firstRec == bs)))
        {
            VerifyIndex(dir, block, data, firstRec);
            return;
        }

        if (UsableEnd(data) == bs)
        {
            throw BadBlock(dir, block, "has no checksum tail (metadata_csum)");
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(bs - 4));
        if (stored != Crc32C.Update(ctx.Inodes.Seed(dir), data.AsSpan(0, bs - TailSize)))
        {
            throw BadBlock(dir, block, "checksum mismatch");
        }
    }

    private void VerifyIndex(Ext4Inode dir, long block, byte[] data, int firstRec)
    {
        const int DxRootCountOffset = 32;
        const int DxNodeCountOffset = 8;
        const int DxTailSize = 8;
        var bs = data.Length;
        int countOffset;
        if (firstRec == bs)
        {
            countOffset = DxNodeCountOffset;
        }
        else if (firstRec == 12 && BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(16)) == bs - 12 &&
                 BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(24)) == 0 && data[29] == 8)
        {
            countOffset = DxRootCountOffset;
        }
        else
        {
            throw BadBlock(dir, block, "is not a valid htree index block");
        }

        int limit = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(countOffset));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(countOffset + 2));
        var tail = countOffset + (limit * 8);
        if (count > limit || tail > bs - DxTailSize)
        {
            throw BadBlock(dir, block, $"htree index count {count} / limit {limit} leave no room for the dx_tail checksum");
        }

        ReadOnlySpan<byte> zero = [0, 0, 0, 0];
        var crc = Crc32C.Update(ctx.Inodes.Seed(dir), data.AsSpan(0, countOffset + (count * 8)));
        crc = Crc32C.Update(crc, data.AsSpan(tail, 4));
        crc = Crc32C.Update(crc, zero);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(tail + 4)) != crc)
        {
            throw BadBlock(dir, block, "htree index (dx_tail) checksum mismatch");
        }
    }

    private InvalidImageException BadBlock(Ext4Inode dir, long block, string what) =>
        new($"ext4: directory block {block} (offset 0x{block * ctx.BlockSize:x}) of inode {dir.Number} {what}");

    /// <summary>Where entries end: before the checksum tail when the block carries one.</summary>
    private int UsableEnd(byte[] data)
    {
        var bs = data.Length;
        if (Csum && BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(bs - 12)) == 0 &&
            BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(bs - 8)) == 12 && data[bs - 5] == 0xDE)
        {
            return bs - TailSize;
        }

        return bs;
    }

    private void Seal(Ext4Inode dir, byte[] data)
    {
        if (!Csum)
        {
            return;
        }

        var bs = data.Length;
        var tail = data.AsSpan(bs - TailSize);
        tail.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(tail[4..], 12);
        tail[7] = 0xDE;
        BinaryPrimitives.WriteUInt32LittleEndian(tail[8..], Crc32C.Update(ctx.Inodes.Seed(dir), data.AsSpan(0, bs - TailSize)));
    }

    private (long Block, byte[] Data) BlockForWrite(Ext4Inode dir, long logical)
    {
        var map = FileMap.Read(dir, ctx);
        var index = map.Find(logical);
        if (index < 0)
        {
            throw new InvalidImageException($"ext4: directory inode {dir.Number} has no block {logical}");
        }

        var e = map.Extents[index];
        var block = e.Physical + (logical - e.Logical);
        Verify(dir, logical, block, ctx.Cache.Get(block));
        return (block, ctx.Cache.GetForWrite(block));
    }

    /// <summary>Turns an htree directory into a linear one: the dx root keeps "." and "..", dx nodes become empty leaves.</summary>
    private void Linearize(Ext4Inode dir)
    {
        var map = FileMap.Read(dir, ctx);
        var bs = ctx.BlockSize;
        var end = bs - (Csum ? TailSize : 0);
        foreach (var e in map.Extents)
        {
            for (long i = 0; i < e.Length; i++)
            {
                var block = e.Physical + i;
                var data = ctx.Cache.Get(block);
                Verify(dir, e.Logical + i, block, data);
                var firstInode = BinaryPrimitives.ReadUInt32LittleEndian(data);
                int firstRec = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
                if (e.Logical + i == 0)
                {
                    data = ctx.Cache.GetForWrite(block);
                    data.AsSpan(24).Clear();
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(16), (ushort)(end - 12));
                    Seal(dir, data);
                }
                else if (firstInode == 0 && (firstRec == bs || (bs == 65536 && firstRec is 0 or 65535)))
                {
                    data = ctx.Cache.CreateZeroed(block);
                    BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), (ushort)Math.Min(end, 65535));
                    Seal(dir, data);
                }
            }
        }

        dir.Flags &= ~Ext4Inode.FlagIndex;
    }

    private void CheckWritable(Ext4Inode dir)
    {
        if (dir.HasFlag(Ext4Inode.FlagInlineData))
        {
            throw new UnsupportedFeatureException("ext4: cannot write: inline_data directory");
        }

        if (dir.HasFlag(Ext4Inode.FlagEncrypt))
        {
            throw new UnsupportedFeatureException("ext4: cannot write: encrypted directory");
        }

        if (dir.HasFlag(Ext4Inode.FlagCasefold))
        {
            throw new UnsupportedFeatureException("ext4: cannot write: casefold directory");
        }
    }

    private void WriteEntry(byte[] data, int offset, int recLen, uint inode, byte fileType, ReadOnlySpan<byte> name)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), inode);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(offset + 4), (ushort)Math.Min(recLen, 65535));
        data[offset + 6] = (byte)name.Length;
        data[offset + 7] = ctx.Sb.HasIncompat(Ext4Features.IncompatFileType) ? fileType : (byte)0;
        name.CopyTo(data.AsSpan(offset + 8));
    }

    private static int RecordLength(int nameLength) => (8 + nameLength + 3) & ~3;

    private static byte[] CheckName(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length == 0 || bytes.Length > MaxNameLength || name is "." or ".." || name.Contains('/', StringComparison.Ordinal))
        {
            throw new GuestFileSystemException(FsError.InvalidPath, name, "invalid file name");
        }

        return bytes;
    }
}
