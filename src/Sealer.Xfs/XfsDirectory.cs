using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>One raw directory entry ("." and ".." included); <see cref="FType"/> is 0 when the fs has no ftype.</summary>
internal readonly record struct XfsDirEntry(string Name, ulong Inode, byte FType);

/// <summary>
/// Reads version 2/3 directories in every format: shortform (in the inode), block (one directory block with a tail),
/// and leaf, node and btree-fork directories. The names of the last three all live in the data blocks of the first
/// 32 GiB of the directory's address space; the leaf (32 GiB) and free-index (64 GiB) regions are checked (magic,
/// CRC, owner, self address) but not needed for listing.
/// </summary>
internal sealed class XfsDirectory(XfsVolume vol)
{
    private const long LeafRegion = 32L << 30;
    private const long FreeRegion = 64L << 30;
    private const uint BlockMagicV4 = 0x58443242; // "XD2B"
    private const uint DataMagicV4 = 0x58443244; // "XD2D"
    private const uint FreeMagicV4 = 0x58443246; // "XD2F"
    private const uint BlockMagicV5 = 0x58444233; // "XDB3"
    private const uint DataMagicV5 = 0x58444433; // "XDD3"
    private const uint FreeMagicV5 = 0x58444633; // "XDF3"
    private const ushort Leaf1MagicV4 = 0xD2F1;
    private const ushort LeafNMagicV4 = 0xD2FF;
    private const ushort NodeMagicV4 = 0xFEBE;
    private const ushort Leaf1MagicV5 = 0x3DF1;
    private const ushort LeafNMagicV5 = 0x3DFF;
    private const ushort NodeMagicV5 = 0x3EBE;
    private const int DataHeaderV4 = 16;
    private const int DataHeaderV5 = 64;
    private const int Hdr3OffCrc = 4;
    private const int Hdr3OffBlkno = 8;
    private const int Hdr3OffUuid = 24;
    private const int Hdr3OffOwner = 40;
    private const int DaOffMagic = 8;
    private const int DaOffCrc = 12;
    private const int DaOffBlkno = 16;
    private const int DaOffUuid = 32;
    private const int DaOffOwner = 48;
    private const int BlockTailSize = 8;
    private const int LeafEntrySize = 8;
    private const ushort FreeTag = 0xFFFF;

    /// <summary>Every entry of directory <paramref name="dir"/>, in on-disk order.</summary>
    public List<XfsDirEntry> Read(XfsInode dir) => dir.DataFormat switch
    {
        ForkFormat.Local => ReadShortForm(dir),
        ForkFormat.Extents or ForkFormat.Btree => ReadBlocks(dir),
        _ => throw new InvalidImageException($"xfs: {dir.Where}: directory has data fork format {dir.DataFormat}"),
    };

    /// <summary>The directory's format by the kernel's names: shortform, block, leaf, node or btree (data fork
    /// format btree); for diagnostics and tests.</summary>
    public string Shape(XfsInode dir)
    {
        if (dir.DataFormat == ForkFormat.Local)
        {
            return "shortform";
        }

        if (dir.DataFormat == ForkFormat.Btree)
        {
            return "btree";
        }

        var map = ExtentMap.ReadData(vol, dir);
        var leafStart = LeafRegion / vol.BlockSize;
        var index = map.Find(leafStart);
        if (index < 0)
        {
            return map.Extents.Count > 0 && map.Extents[^1].End > leafStart ? "node" : "block";
        }

        var e = map.Extents[index];
        var block = vol.ReadBlocks(e.Physical + (leafStart - e.Logical), 1, $"{dir.Where} leaf block");
        var magic = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(DaOffMagic));
        return magic is Leaf1MagicV4 or Leaf1MagicV5 ? "leaf" : "node";
    }

    private List<XfsDirEntry> ReadShortForm(XfsInode dir)
    {
        var fork = dir.DataFork;
        var where = $"{dir.Where} shortform directory";
        if (dir.Size < 6 || dir.Size > fork.Length)
        {
            throw new InvalidImageException($"xfs: {where}: size {dir.Size} does not fit the inode fork of {fork.Length} bytes");
        }

        var data = fork.AsSpan(0, (int)dir.Size);
        int count = data[0], i8count = data[1];
        var inoSize = i8count > 0 ? 8 : 4;
        var pos = 2 + inoSize;
        if (pos > data.Length)
        {
            throw new InvalidImageException($"xfs: {where}: header passes the size {dir.Size}");
        }

        var parent = ReadIno(data[2..], inoSize);
        var list = new List<XfsDirEntry>(count + 2) { new(".", dir.Number, 2), new("..", parent, 2) };
        var ftype = vol.Sb.HasFType ? 1 : 0;
        for (var n = 0; n < count; n++)
        {
            if (pos + 3 > data.Length)
            {
                throw new InvalidImageException($"xfs: {where}: entry {n} at offset {pos} passes the size {dir.Size}");
            }

            var nameLen = data[pos];
            var entrySize = 3 + nameLen + ftype + inoSize;
            if (nameLen == 0 || pos + entrySize > data.Length)
            {
                throw new InvalidImageException($"xfs: {where}: entry {n} at offset {pos} (name length {nameLen}) passes the size {dir.Size}");
            }

            var name = Name(data.Slice(pos + 3, nameLen), where, pos);
            var type = ftype != 0 ? data[pos + 3 + nameLen] : (byte)0;
            list.Add(new XfsDirEntry(name, ReadIno(data[(pos + 3 + nameLen + ftype)..], inoSize), type));
            pos += entrySize;
        }

        return list;
    }

    private List<XfsDirEntry> ReadBlocks(XfsInode dir)
    {
        var map = ExtentMap.ReadData(vol, dir);
        var sb = vol.Sb;
        var fsbPerDirBlock = 1L << sb.DirBlockLog;
        var leafStart = LeafRegion / sb.BlockSize;
        var freeStart = FreeRegion / sb.BlockSize;
        long mapped = 0;
        foreach (var e in map.Extents)
        {
            mapped += e.Count;
            if (mapped > sb.DataBlocks)
            {
                throw new InvalidImageException($"xfs: {dir.Where}: directory maps more blocks than the file system has");
            }
        }

        // Every directory block that has at least one mapped fs block, in logical order.
        var dirBlocks = new SortedSet<long>();
        foreach (var e in map.Extents)
        {
            for (var b = e.Logical >> sb.DirBlockLog; b << sb.DirBlockLog < e.End; b++)
            {
                dirBlocks.Add(b);
            }
        }

        var dataBlocks = dirBlocks.Count(b => b << sb.DirBlockLog < leafStart);
        var list = new List<XfsDirEntry>();
        foreach (var db in dirBlocks)
        {
            var first = db << sb.DirBlockLog;
            var at = $"{dir.Where} directory block {db}";
            if (first < leafStart && (first + fsbPerDirBlock) * sb.BlockSize > dir.Size)
            {
                throw new InvalidImageException($"xfs: {at}: data block lies past the directory size {dir.Size}");
            }

            var (block, daddr) = ReadDirBlock(map, first, (int)fsbPerDirBlock, at);
            if (first < leafStart)
            {
                ParseData(dir, block, daddr, isOnlyBlock: dataBlocks == 1 && dirBlocks.Count == 1 && db == 0, list, at);
            }
            else
            {
                CheckIndexBlock(dir, block, daddr, first >= freeStart, at);
            }
        }

        return list;
    }

    private (byte[] Block, ulong Daddr) ReadDirBlock(ExtentMap map, long first, int fsbCount, string at)
    {
        var bs = vol.BlockSize;
        var block = new byte[fsbCount * bs];
        ulong daddr = 0;
        for (var i = 0; i < fsbCount; i++)
        {
            var index = map.Find(first + i);
            if (index < 0 || map.Extents[index].Unwritten)
            {
                throw new InvalidImageException($"xfs: {at}: file block {first + i} of the directory block is not mapped");
            }

            var e = map.Extents[index];
            var physical = e.Physical + (first + i - e.Logical);
            if (i == 0)
            {
                daddr = vol.DaddrOf(physical);
            }

            vol.ReadAt(vol.Sb.FsBlockToOffset(physical), block.AsSpan(i * bs, bs));
        }

        return (block, daddr);
    }

    private void ParseData(XfsInode dir, byte[] block, ulong daddr, bool isOnlyBlock, List<XfsDirEntry> list, string at)
    {
        var sb = vol.Sb;
        var magic = BinaryPrimitives.ReadUInt32BigEndian(block);
        var blockMagic = sb.HasCrc ? BlockMagicV5 : BlockMagicV4;
        var dataMagic = sb.HasCrc ? DataMagicV5 : DataMagicV4;
        var isBlockForm = magic == blockMagic && isOnlyBlock;
        if (!isBlockForm && magic != dataMagic)
        {
            throw new InvalidImageException($"xfs: {at}: bad data block magic 0x{magic:x8}");
        }

        var header = DataHeaderV4;
        if (sb.HasCrc)
        {
            header = DataHeaderV5;
            vol.VerifyV5Header(block, Hdr3OffCrc, Hdr3OffUuid, Hdr3OffOwner, dir.Number, Hdr3OffBlkno, daddr, at);
        }

        var end = block.Length;
        if (isBlockForm)
        {
            var leafCount = BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(block.Length - BlockTailSize));
            var leafBytes = (long)leafCount * LeafEntrySize;
            if (leafBytes > block.Length - BlockTailSize - header)
            {
                throw new InvalidImageException($"xfs: {at}: block tail count {leafCount} passes the block");
            }

            end = block.Length - BlockTailSize - (int)leafBytes;
        }

        var ftype = sb.HasFType ? 1 : 0;
        var pos = header;
        while (pos < end)
        {
            if (end - pos < 8)
            {
                throw new InvalidImageException($"xfs: {at}: truncated entry at offset {pos}");
            }

            if (BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(pos)) == FreeTag)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(pos + 2));
                if (length < 8 || length % 8 != 0 || length > end - pos)
                {
                    throw new InvalidImageException($"xfs: {at}: unused entry at offset {pos} has length {length}");
                }

                pos += length;
                continue;
            }

            var nameLen = block[pos + 8];
            var size = (8 + 1 + nameLen + ftype + 2 + 7) & ~7;
            if (nameLen == 0 || size > end - pos)
            {
                throw new InvalidImageException($"xfs: {at}: entry at offset {pos} (name length {nameLen}) passes the data area");
            }

            var tag = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(pos + size - 2));
            if (tag != pos)
            {
                throw new InvalidImageException($"xfs: {at}: entry at offset {pos} has tag {tag}");
            }

            var name = Name(block.AsSpan(pos + 9, nameLen), at, pos);
            var ino = BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(pos));
            list.Add(new XfsDirEntry(name, ino, ftype != 0 ? block[pos + 9 + nameLen] : (byte)0));
            pos += size;
        }
    }

    private void CheckIndexBlock(XfsInode dir, byte[] block, ulong daddr, bool free, string at)
    {
        var sb = vol.Sb;
        if (free)
        {
            var magic = BinaryPrimitives.ReadUInt32BigEndian(block);
            if (magic != (sb.HasCrc ? FreeMagicV5 : FreeMagicV4))
            {
                throw new InvalidImageException($"xfs: {at}: bad free-index block magic 0x{magic:x8}");
            }

            if (sb.HasCrc)
            {
                vol.VerifyV5Header(block, Hdr3OffCrc, Hdr3OffUuid, Hdr3OffOwner, dir.Number, Hdr3OffBlkno, daddr, at);
            }

            return;
        }

        var da = BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(DaOffMagic));
        var ok = sb.HasCrc ? da is Leaf1MagicV5 or LeafNMagicV5 or NodeMagicV5 : da is Leaf1MagicV4 or LeafNMagicV4 or NodeMagicV4;
        if (!ok)
        {
            throw new InvalidImageException($"xfs: {at}: bad leaf/node block magic 0x{da:x4}");
        }

        if (sb.HasCrc)
        {
            vol.VerifyV5Header(block, DaOffCrc, DaOffUuid, DaOffOwner, dir.Number, DaOffBlkno, daddr, at);
        }
    }

    private static ulong ReadIno(ReadOnlySpan<byte> raw, int size) =>
        size == 8 ? BinaryPrimitives.ReadUInt64BigEndian(raw) & 0x00FF_FFFF_FFFF_FFFFUL : BinaryPrimitives.ReadUInt32BigEndian(raw);

    private static string Name(ReadOnlySpan<byte> raw, string at, int pos)
    {
        if (raw.Contains((byte)'/') || raw.Contains((byte)0))
        {
            throw new InvalidImageException($"xfs: {at}: entry at offset {pos} has a name containing '/' or NUL");
        }

        return Encoding.UTF8.GetString(raw);
    }
}
