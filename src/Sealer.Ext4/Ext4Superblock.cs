using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// The validated, static geometry of the superblock plus accessors for the few fields a writer changes
/// (free counts, needs_recovery, checksum); those live in the cached block so they roll back with an operation.
/// </summary>
internal sealed class Ext4Superblock
{
    public const int Offset = 1024;
    public const int Size = 1024;
    private const ushort Magic = 0xEF53;

    private Ext4Superblock(byte[] raw) => Raw = raw;

    /// <summary>A private copy of the 1024 bytes as read at open time.</summary>
    public byte[] Raw { get; }

    public int BlockSize { get; private init; }

    public long BlocksCount { get; private init; }

    public long FirstDataBlock { get; private init; }

    public int BlocksPerGroup { get; private init; }

    public int InodesPerGroup { get; private init; }

    public uint InodesCount { get; private init; }

    public int InodeSize { get; private init; }

    public uint FirstInode { get; private init; }

    public int GroupCount { get; private init; }

    public int DescriptorSize { get; private init; }

    public uint Compat { get; private init; }

    public uint Incompat { get; private init; }

    public uint RoCompat { get; private init; }

    public uint FirstMetaBg { get; private init; }

    public int ReservedGdtBlocks { get; private init; }

    public uint JournalInode { get; private init; }

    public uint LastOrphan { get; private init; }

    public ushort WantExtraIsize { get; private init; }

    public uint Flags { get; private init; }

    public byte DefaultHashVersion { get; private init; }

    public uint BackupGroup0 { get; private init; }

    public uint BackupGroup1 { get; private init; }

    /// <summary>crc32c seed of every metadata checksum except the superblock's own.</summary>
    public uint ChecksumSeed { get; private init; }

    public bool HasIncompat(uint bit) => (Incompat & bit) != 0;

    public bool HasRoCompat(uint bit) => (RoCompat & bit) != 0;

    public bool HasCompat(uint bit) => (Compat & bit) != 0;

    public bool MetadataCsum => HasRoCompat(Ext4Features.RoCompatMetadataCsum);

    public bool GdtCsum => HasRoCompat(Ext4Features.RoCompatGdtCsum);

    public bool Is64Bit => HasIncompat(Ext4Features.Incompat64Bit);

    public ReadOnlySpan<byte> Uuid => Raw.AsSpan(0x68, 16);

    public static bool HasMagic(ReadOnlySpan<byte> raw) => BinaryPrimitives.ReadUInt16LittleEndian(raw[0x38..]) == Magic;

    public static uint ComputeChecksum(ReadOnlySpan<byte> raw) => Crc32C.Update(0xFFFFFFFF, raw[..0x3FC]);

    /// <summary>Parses and range-checks a superblock against a device of <paramref name="deviceLength"/> bytes.</summary>
    public static Ext4Superblock Parse(ReadOnlySpan<byte> source, long deviceLength)
    {
        var raw = source[..Size].ToArray();
        if (!HasMagic(raw))
        {
            throw new InvalidImageException("ext4: bad superblock magic at offset 0x438");
        }

        uint U32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(o));
        ushort U16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(o));

        var incompat = U32(0x60);
        var roCompat = U32(0x64);
        if ((roCompat & Ext4Features.RoCompatMetadataCsum) != 0)
        {
            if (raw[0x175] != 1)
            {
                throw new UnsupportedFeatureException($"ext4: unsupported checksum type {raw[0x175]}");
            }

            if (U32(0x3FC) != ComputeChecksum(raw))
            {
                throw new InvalidImageException("ext4: superblock checksum mismatch at offset 0x7fc");
            }
        }

        var logBlock = U32(0x18);
        if (logBlock > 6)
        {
            throw new InvalidImageException($"ext4: superblock log block size {logBlock} is out of range at offset 0x418");
        }

        var blockSize = 1024 << (int)logBlock;
        var is64 = (incompat & Ext4Features.Incompat64Bit) != 0;
        var blocksCount = (long)U32(0x04) | (is64 ? (long)U32(0x150) << 32 : 0);
        var firstData = U32(0x14);
        var bpg = U32(0x20);
        var ipg = U32(0x28);
        var revLevel = U32(0x4C);
        var inodeSize = revLevel == 0 ? 128 : U16(0x58);
        var firstIno = revLevel == 0 ? 11u : U32(0x54);
        var inodesCount = U32(0x00);

        if (blocksCount <= firstData || blocksCount > deviceLength / blockSize)
        {
            throw new InvalidImageException(
                $"ext4: superblock block count {blocksCount} does not fit the device of {deviceLength} bytes (offset 0x404)");
        }

        var cpg = (roCompat & Ext4Features.RoCompatBigalloc) != 0 ? U32(0x24) : bpg;
        if (bpg == 0 || cpg == 0 || cpg > 8u * (uint)blockSize || ipg == 0 || ipg > 8u * (uint)blockSize || ipg % 8 != 0)
        {
            throw new InvalidImageException($"ext4: superblock blocks/inodes per group {bpg}/{ipg} out of range (offset 0x420)");
        }

        if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) != 0)
        {
            throw new InvalidImageException($"ext4: superblock inode size {inodeSize} is invalid (offset 0x458)");
        }

        var groups = (blocksCount - firstData + bpg - 1) / bpg;
        if (groups > int.MaxValue / 2 || (long)groups * ipg < inodesCount || inodesCount == 0 || firstIno < 11 || firstIno >= inodesCount)
        {
            throw new InvalidImageException($"ext4: superblock inode count {inodesCount} does not match {groups} groups of {ipg} (offset 0x400)");
        }

        var descSize = 32;
        if (is64)
        {
            descSize = U16(0xFE);
            if (descSize < 64 || descSize > blockSize || (descSize & (descSize - 1)) != 0)
            {
                throw new InvalidImageException($"ext4: superblock descriptor size {descSize} is invalid (offset 0x4fe)");
            }
        }

        if ((incompat & Ext4Features.IncompatMetaBg) == 0 && (groups * descSize + blockSize - 1) / blockSize + firstData + 1 > blocksCount)
        {
            throw new InvalidImageException("ext4: group descriptor table does not fit the filesystem (offset 0x400)");
        }

        var uuid = raw.AsSpan(0x68, 16);
        var seed = (incompat & Ext4Features.IncompatCsumSeed) != 0 ? U32(0x270) : Crc32C.Update(0xFFFFFFFF, uuid);
        return new Ext4Superblock(raw)
        {
            BlockSize = blockSize,
            BlocksCount = blocksCount,
            FirstDataBlock = firstData,
            BlocksPerGroup = (int)bpg,
            InodesPerGroup = (int)ipg,
            InodesCount = inodesCount,
            InodeSize = inodeSize,
            FirstInode = firstIno,
            GroupCount = (int)groups,
            DescriptorSize = descSize,
            Compat = U32(0x5C),
            Incompat = incompat,
            RoCompat = roCompat,
            FirstMetaBg = U32(0x104),
            ReservedGdtBlocks = U16(0xCE),
            JournalInode = U32(0xE0),
            LastOrphan = U32(0xE8),
            WantExtraIsize = U16(0x15E),
            Flags = U32(0x160),
            DefaultHashVersion = raw[0xFC],
            BackupGroup0 = U32(0x24C),
            BackupGroup1 = U32(0x250),
            ChecksumSeed = seed,
        };
    }

    public string UuidText
    {
        get
        {
            var hex = Convert.ToHexStringLower(Uuid);
            return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
        }
    }

    public string? Label
    {
        get
        {
            var name = Raw.AsSpan(0x78, 16);
            var end = name.IndexOf((byte)0);
            var text = Encoding.UTF8.GetString(end < 0 ? name : name[..end]);
            return text.Length == 0 ? null : text;
        }
    }

    /// <summary>"ext2", "ext3" or "ext4", decided the way blkid does.</summary>
    public string TypeName
    {
        get
        {
            const uint ext3Incompat = Ext4Features.IncompatFileType | Ext4Features.IncompatRecover | Ext4Features.IncompatMetaBg;
            const uint ext3RoCompat = Ext4Features.RoCompatSparseSuper | Ext4Features.RoCompatLargeFile | Ext4Features.RoCompatBtreeDir;
            if ((Incompat & ~ext3Incompat) != 0 || (RoCompat & ~ext3RoCompat) != 0)
            {
                return "ext4";
            }

            return HasCompat(Ext4Features.CompatHasJournal) ? "ext3" : "ext2";
        }
    }

    /// <summary>Whether group <paramref name="group"/> carries a superblock backup (and, without meta_bg, a GDT copy).</summary>
    public bool GroupHasSuper(long group)
    {
        if (group == 0)
        {
            return true;
        }

        if (HasCompat(Ext4Features.CompatSparseSuper2))
        {
            return group == BackupGroup0 || group == BackupGroup1;
        }

        if (group <= 1 || !HasRoCompat(Ext4Features.RoCompatSparseSuper))
        {
            return true;
        }

        if ((group & 1) == 0)
        {
            return false;
        }

        return IsPowerOf(group, 3) || IsPowerOf(group, 5) || IsPowerOf(group, 7);
    }

    private static bool IsPowerOf(long value, int radix)
    {
        var n = 1L;
        while (n < value)
        {
            n *= radix;
        }

        return n == value;
    }
}
