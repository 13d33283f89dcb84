using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>Reads and writes inodes in the cached inode-table blocks, verifying and sealing their checksums.</summary>
internal sealed class InodeTable(Ext4Superblock sb, GroupDescriptors groups, BlockCache cache)
{
    public Ext4Inode Read(uint number)
    {
        var (block, offset) = Locate(number);
        return Parse(number, cache.Get(block).AsSpan(offset, sb.InodeSize), (block * sb.BlockSize) + offset);
    }

    /// <summary>An inode from its on-disk bytes (found at byte <paramref name="deviceOffset"/>), checksum verified.</summary>
    public Ext4Inode Parse(uint number, ReadOnlySpan<byte> bytes, long deviceOffset)
    {
        var inode = new Ext4Inode(number, bytes[..sb.InodeSize].ToArray());
        if (sb.MetadataCsum && bytes.ContainsAnyExcept((byte)0) && !ChecksumMatches(inode, out var why))
        {
            throw new InvalidImageException($"ext4: inode {number} {why} at offset 0x{deviceOffset:x}");
        }

        return inode;
    }

    /// <summary>Whether a (metadata_csum) inode's extra size and checksum are right.</summary>
    public bool ChecksumMatches(Ext4Inode inode, out string why)
    {
        if (inode.ExtraIsize % 4 != 0 || 128 + inode.ExtraIsize > sb.InodeSize)
        {
            why = $"has invalid extra size {inode.ExtraIsize}";
            return false;
        }

        var (lo, hi) = StoredChecksum(inode.Raw);
        var expected = Compute(inode);
        why = "checksum mismatch";
        return lo == (ushort)expected && (hi is not { } h || h == (ushort)(expected >> 16));
    }

    /// <summary>Inode table block and byte offset of inode <paramref name="number"/>.</summary>
    public (long Block, int Offset) Where(uint number) => Locate(number);

    public void Write(Ext4Inode inode)
    {
        if (sb.MetadataCsum)
        {
            var crc = Compute(inode);
            BinaryPrimitives.WriteUInt16LittleEndian(inode.Raw.AsSpan(0x7C), (ushort)crc);
            if (HasHiField(inode.Raw))
            {
                BinaryPrimitives.WriteUInt16LittleEndian(inode.Raw.AsSpan(0x82), (ushort)(crc >> 16));
            }
        }

        var (block, offset) = Locate(inode.Number);
        inode.Raw.CopyTo(cache.GetForWrite(block).AsSpan(offset));
    }

    public uint Seed(Ext4Inode inode) => Ext4Checksums.InodeSeed(sb.ChecksumSeed, inode.Number, inode.Generation);

    /// <summary>crc32c over the inode with its checksum fields taken as zero, computed over slices (no copy).</summary>
    private uint Compute(Ext4Inode inode)
    {
        ReadOnlySpan<byte> raw = inode.Raw;
        ReadOnlySpan<byte> zeroField = [0, 0];
        var crc = Crc32C.Update(Seed(inode), raw[..0x7C]);
        crc = Crc32C.Update(crc, zeroField);
        if (!HasHiField(inode.Raw))
        {
            return Crc32C.Update(crc, raw[0x7E..]);
        }

        crc = Crc32C.Update(crc, raw[0x7E..0x82]);
        crc = Crc32C.Update(crc, zeroField);
        return Crc32C.Update(crc, raw[0x84..]);
    }

    private (ushort Lo, ushort? Hi) StoredChecksum(byte[] raw) =>
        (BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(0x7C)),
         HasHiField(raw) ? BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(0x82)) : null);

    private static bool HasHiField(byte[] raw) => raw.Length > 128 && BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(0x80)) >= 4;

    private (long Block, int Offset) Locate(uint number)
    {
        if (number == 0 || number > sb.InodesCount)
        {
            throw new InvalidImageException($"ext4: inode number {number} is out of range (1..{sb.InodesCount})");
        }

        var group = (int)((number - 1) / (uint)sb.InodesPerGroup);
        var index = (long)((number - 1) % (uint)sb.InodesPerGroup);
        var byteOffset = index * sb.InodeSize;
        return (groups.InodeTable(group) + (byteOffset / sb.BlockSize), (int)(byteOffset % sb.BlockSize));
    }
}
