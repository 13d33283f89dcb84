using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>Group descriptor fields, read and written in place in the cached GDT blocks (primary copy only;
/// backups only matter for static fields, which this driver never changes).</summary>
internal sealed class GroupDescriptors
{
    public const ushort FlagInodeUninit = 0x1;
    public const ushort FlagBlockUninit = 0x2;
    public const ushort FlagItableZeroed = 0x4;

    private readonly Ext4Superblock _sb;
    private readonly BlockCache _cache;
    private readonly int _perBlock;

    public GroupDescriptors(Ext4Superblock sb, BlockCache cache)
    {
        _sb = sb;
        _cache = cache;
        _perBlock = sb.BlockSize / sb.DescriptorSize;
    }

    public long GroupFirstBlock(long group) => _sb.FirstDataBlock + (group * _sb.BlocksPerGroup);

    /// <summary>Blocks in the group (the last group may be short).</summary>
    public int GroupBlockCount(long group) =>
        (int)Math.Min(_sb.BlocksPerGroup, _sb.BlocksCount - GroupFirstBlock(group));

    /// <summary>The block holding descriptor <paramref name="group"/> (meta_bg aware).</summary>
    public long DescriptorBlock(long group)
    {
        var metaGroup = group / _perBlock;
        if (!_sb.HasIncompat(Ext4Features.IncompatMetaBg) || metaGroup < _sb.FirstMetaBg)
        {
            return _sb.FirstDataBlock + 1 + metaGroup;
        }

        var first = metaGroup * _perBlock;
        return GroupFirstBlock(first) + (_sb.GroupHasSuper(first) ? 1 : 0);
    }

    /// <summary>Number of GDT blocks in a backup group (0 when the group has no backup), excluding meta_bg blocks.</summary>
    public long ClassicGdtBlocks =>
        _sb.HasIncompat(Ext4Features.IncompatMetaBg)
            ? _sb.FirstMetaBg
            : ((long)_sb.GroupCount + _perBlock - 1) / _perBlock;

    public long BlockBitmap(int g) => Lo32Hi32(g, 0x00, 0x20);

    public long InodeBitmap(int g) => Lo32Hi32(g, 0x04, 0x24);

    public long InodeTable(int g) => Lo32Hi32(g, 0x08, 0x28);

    public int FreeBlocks(int g) => Lo16Hi16(g, 0x0C, 0x2C);

    public int FreeInodes(int g) => Lo16Hi16(g, 0x0E, 0x2E);

    public int UsedDirs(int g) => Lo16Hi16(g, 0x10, 0x30);

    public ushort Flags(int g) => BinaryPrimitives.ReadUInt16LittleEndian(Read(g)[0x12..]);

    public int ItableUnused(int g) => Lo16Hi16(g, 0x1C, 0x32);

    public void SetFreeBlocks(int g, int v) => SetLo16Hi16(g, 0x0C, 0x2C, v);

    public void SetFreeInodes(int g, int v) => SetLo16Hi16(g, 0x0E, 0x2E, v);

    public void SetUsedDirs(int g, int v) => SetLo16Hi16(g, 0x10, 0x30, v);

    public void SetItableUnused(int g, int v) => SetLo16Hi16(g, 0x1C, 0x32, v);

    public void SetFlags(int g, ushort flags)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Write(g)[0x12..], flags);
        UpdateChecksum(g);
    }

    public void SetBitmapChecksums(int g, uint? blockCsum, uint? inodeCsum)
    {
        var d = Write(g);
        if (blockCsum is { } b)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d[0x18..], (ushort)b);
            if (_sb.DescriptorSize >= 64)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(d[0x38..], (ushort)(b >> 16));
            }
        }

        if (inodeCsum is { } i)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d[0x1A..], (ushort)i);
            if (_sb.DescriptorSize >= 64)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(d[0x3A..], (ushort)(i >> 16));
            }
        }

        UpdateChecksum(g);
    }

    /// <summary>bg_block_bitmap_csum (lo 16 bits, plus hi 16 with 64-byte descriptors) and whether the hi half exists.</summary>
    public (uint Value, bool Full) BlockBitmapChecksum(int g) => Checksum32(g, 0x18, 0x38);

    public (uint Value, bool Full) InodeBitmapChecksum(int g) => Checksum32(g, 0x1A, 0x3A);

    private (uint Value, bool Full) Checksum32(int g, int lo, int hi)
    {
        var d = Read(g);
        var value = (uint)BinaryPrimitives.ReadUInt16LittleEndian(d[lo..]);
        return _sb.DescriptorSize >= 64 ? (value | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(d[hi..]) << 16), true) : (value, false);
    }

    /// <summary>Checks a descriptor's own checksum and that its metadata lies inside the filesystem.</summary>
    public void Validate(int g)
    {
        var d = Read(g);
        if ((_sb.MetadataCsum || _sb.GdtCsum) &&
            BinaryPrimitives.ReadUInt16LittleEndian(d[0x1E..]) != ComputeChecksum(g, d))
        {
            throw new InvalidImageException(
                $"ext4: group descriptor {g} checksum mismatch at offset 0x{DescriptorOffset(g):x}");
        }

        var itableBlocks = ((long)_sb.InodesPerGroup * _sb.InodeSize + _sb.BlockSize - 1) / _sb.BlockSize;
        if (!InFs(BlockBitmap(g), 1) || !InFs(InodeBitmap(g), 1) || !InFs(InodeTable(g), itableBlocks) ||
            FreeBlocks(g) > _sb.BlocksPerGroup || FreeInodes(g) > _sb.InodesPerGroup || ItableUnused(g) > _sb.InodesPerGroup)
        {
            throw new InvalidImageException(
                $"ext4: group descriptor {g} has out-of-range locations or counts at offset 0x{DescriptorOffset(g):x}");
        }
    }

    private bool InFs(long block, long count) => block > _sb.FirstDataBlock - 1 && block >= 1 && block + count <= _sb.BlocksCount;

    private long DescriptorOffset(int g) => (DescriptorBlock(g) * _sb.BlockSize) + (g % _perBlock * _sb.DescriptorSize);

    private void UpdateChecksum(int g)
    {
        if (!_sb.MetadataCsum && !_sb.GdtCsum)
        {
            return;
        }

        var d = Write(g);
        BinaryPrimitives.WriteUInt16LittleEndian(d[0x1E..], ComputeChecksum(g, d));
    }

    private ushort ComputeChecksum(int g, ReadOnlySpan<byte> d)
    {
        Span<byte> groupLe = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLe, (uint)g);
        if (_sb.MetadataCsum)
        {
            var copy = d.ToArray();
            copy[0x1E] = 0;
            copy[0x1F] = 0;
            return (ushort)Crc32C.Update(Crc32C.Update(_sb.ChecksumSeed, groupLe), copy);
        }

        var crc = Ext4Checksums.Crc16(0xFFFF, _sb.Uuid);
        crc = Ext4Checksums.Crc16(crc, groupLe);
        crc = Ext4Checksums.Crc16(crc, d[..0x1E]);
        if (d.Length > 0x20)
        {
            crc = Ext4Checksums.Crc16(crc, d[0x20..]);
        }

        return crc;
    }

    private ReadOnlySpan<byte> Read(int g)
    {
        CheckGroup(g);
        return _cache.Get(DescriptorBlock(g)).AsSpan(g % _perBlock * _sb.DescriptorSize, _sb.DescriptorSize);
    }

    private Span<byte> Write(int g)
    {
        CheckGroup(g);
        return _cache.GetForWrite(DescriptorBlock(g)).AsSpan(g % _perBlock * _sb.DescriptorSize, _sb.DescriptorSize);
    }

    private void CheckGroup(int g)
    {
        if (g < 0 || g >= _sb.GroupCount)
        {
            throw new InvalidImageException($"ext4: group {g} is out of range ({_sb.GroupCount} groups)");
        }
    }

    private long Lo32Hi32(int g, int lo, int hi)
    {
        var d = Read(g);
        var value = (long)BinaryPrimitives.ReadUInt32LittleEndian(d[lo..]);
        return _sb.DescriptorSize >= 64 ? value | ((long)BinaryPrimitives.ReadUInt32LittleEndian(d[hi..]) << 32) : value;
    }

    private int Lo16Hi16(int g, int lo, int hi)
    {
        var d = Read(g);
        var value = (int)BinaryPrimitives.ReadUInt16LittleEndian(d[lo..]);
        return _sb.DescriptorSize >= 64 ? value | (BinaryPrimitives.ReadUInt16LittleEndian(d[hi..]) << 16) : value;
    }

    private void SetLo16Hi16(int g, int lo, int hi, int value)
    {
        var d = Write(g);
        BinaryPrimitives.WriteUInt16LittleEndian(d[lo..], (ushort)value);
        if (_sb.DescriptorSize >= 64)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d[hi..], (ushort)(value >> 16));
        }

        UpdateChecksum(g);
    }
}
