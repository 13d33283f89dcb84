using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>The validated geometry and feature set of the primary superblock (AG 0, sector 0). Big-endian on disk.</summary>
internal sealed class XfsSuperblock
{
    public const uint Magic = 0x58465342; // "XFSB"
    public const int MinReadSize = 512;

    private const int OffMagic = 0;
    private const int OffBlockSize = 4;
    private const int OffDataBlocks = 8;
    private const int OffRtBlocks = 16;
    private const int OffRtExtents = 24;
    private const int OffUuid = 32;
    private const int OffLogStart = 48;
    private const int OffRootIno = 56;
    private const int OffAgBlocks = 84;
    private const int OffAgCount = 88;
    private const int OffLogBlocks = 96;
    private const int OffVersion = 100;
    private const int OffSectSize = 102;
    private const int OffInodeSize = 104;
    private const int OffInodesPerBlock = 106;
    private const int OffLabel = 108;
    private const int OffBlockLog = 120;
    private const int OffSectLog = 121;
    private const int OffInodeLog = 122;
    private const int OffInopbLog = 123;
    private const int OffAgBlkLog = 124;
    private const int OffInProgress = 126;
    private const int OffDirBlkLog = 192;
    private const int OffFeatures2 = 200;
    private const int OffBadFeatures2 = 204;
    private const int OffCompat = 208;
    private const int OffRoCompat = 212;
    private const int OffIncompat = 216;
    private const int OffLogIncompat = 220;
    public const int OffCrc = 224;
    private const int OffMetaUuid = 248;

    public int Version { get; private init; }

    public int BlockSize { get; private init; }

    public int BlockLog { get; private init; }

    public long DataBlocks { get; private init; }

    public Guid Uuid { get; private init; }

    public byte[] UuidBytes { get; private init; } = [];

    /// <summary>The UUID stamped in v5 metadata blocks (sb_meta_uuid when meta_uuid is set, else sb_uuid).</summary>
    public byte[] MetaUuidBytes { get; private init; } = [];

    public long LogStart { get; private init; }

    public uint LogBlocks { get; private init; }

    public ulong RootInode { get; private init; }

    public uint AgBlocks { get; private init; }

    public uint AgCount { get; private init; }

    public int AgBlockLog { get; private init; }

    public int SectorSize { get; private init; }

    public int InodeSize { get; private init; }

    public int InodesPerBlock { get; private init; }

    public int InodesPerBlockLog { get; private init; }

    /// <summary>Directory block size in bytes (sb_blocksize &lt;&lt; sb_dirblklog).</summary>
    public int DirBlockSize { get; private init; }

    public int DirBlockLog { get; private init; }

    public ushort VersionNum { get; private init; }

    public uint Features2 { get; private init; }

    public uint Compat { get; private init; }

    public uint RoCompat { get; private init; }

    public uint Incompat { get; private init; }

    public uint LogIncompat { get; private init; }

    public string? Label { get; private init; }

    public bool HasCrc => Version == 5;

    public bool HasFType => HasCrc ? (Incompat & XfsFeatures.IncompatFType) != 0 : (Features2 & XfsFeatures.Features2FType) != 0;

    public bool HasIncompat(uint bit) => HasCrc && (Incompat & bit) != 0;

    public bool HasRoCompat(uint bit) => HasCrc && (RoCompat & bit) != 0;

    public string UuidText => Uuid.ToString("D");

    /// <summary>Blocks in AG <paramref name="agno"/> (the last AG may be shorter).</summary>
    public uint AgLength(uint agno) =>
        agno < AgCount - 1 ? AgBlocks : (uint)(DataBlocks - ((long)(AgCount - 1) * AgBlocks));

    public static bool HasMagic(ReadOnlySpan<byte> raw) => BinaryPrimitives.ReadUInt32BigEndian(raw) == Magic;

    /// <summary>Reads the sector size from a raw superblock without trusting anything else.</summary>
    public static int RawSectorSize(ReadOnlySpan<byte> raw) => BinaryPrimitives.ReadUInt16BigEndian(raw[OffSectSize..]);

    /// <summary>Parses and validates <paramref name="raw"/> (one whole sector); every field used later is checked here.</summary>
    public static XfsSuperblock Parse(ReadOnlySpan<byte> raw, long deviceLength)
    {
        if (raw.Length < MinReadSize || !HasMagic(raw))
        {
            throw new InvalidImageException("xfs: superblock at offset 0x0 has no XFSB magic");
        }

        var versionNum = BinaryPrimitives.ReadUInt16BigEndian(raw[OffVersion..]);
        var version = versionNum & 0xF;
        if (version is not (4 or 5))
        {
            throw new UnsupportedFeatureException($"xfs: superblock version {version} is not supported (only 4 and 5)");
        }

        var sectSize = BinaryPrimitives.ReadUInt16BigEndian(raw[OffSectSize..]);
        Check(sectSize is >= 512 and <= 32768 && BitOperations.IsPow2(sectSize) && raw[OffSectLog] == BitOperations.Log2(sectSize),
            $"sector size {sectSize} (log {raw[OffSectLog]})", OffSectSize);
        Check(raw.Length >= sectSize, $"buffer of {raw.Length} bytes is shorter than the sector size {sectSize}", OffSectSize);
        if (version == 5)
        {
            XfsChecksum.Verify(raw[..sectSize], OffCrc, "superblock (AG 0, offset 0x0)");
        }

        var blockSize = BinaryPrimitives.ReadUInt32BigEndian(raw[OffBlockSize..]);
        Check(blockSize is >= 512 and <= 65536 && BitOperations.IsPow2(blockSize) && raw[OffBlockLog] == BitOperations.Log2(blockSize)
            && blockSize >= sectSize && (version == 4 || blockSize >= 1024), $"block size {blockSize} (log {raw[OffBlockLog]})", OffBlockSize);
        var inodeSize = BinaryPrimitives.ReadUInt16BigEndian(raw[OffInodeSize..]);
        Check(inodeSize is >= 256 and <= 2048 && BitOperations.IsPow2(inodeSize) && raw[OffInodeLog] == BitOperations.Log2(inodeSize)
            && inodeSize <= blockSize && (version == 4 || inodeSize >= 512), $"inode size {inodeSize} (log {raw[OffInodeLog]})", OffInodeSize);
        var inopb = BinaryPrimitives.ReadUInt16BigEndian(raw[OffInodesPerBlock..]);
        Check(inopb == blockSize / inodeSize && raw[OffInopbLog] == BitOperations.Log2(inopb), $"inodes per block {inopb} (log {raw[OffInopbLog]})", OffInodesPerBlock);
        var agBlocks = BinaryPrimitives.ReadUInt32BigEndian(raw[OffAgBlocks..]);
        var agCount = BinaryPrimitives.ReadUInt32BigEndian(raw[OffAgCount..]);
        var agBlkLog = raw[OffAgBlkLog];
        Check(agBlocks >= 64 && agBlkLog == (int)Math.Ceiling(Math.Log2(agBlocks)) && agBlkLog + raw[OffInopbLog] <= 32,
            $"AG size {agBlocks} blocks (log {agBlkLog})", OffAgBlocks);
        var dblocks = BinaryPrimitives.ReadUInt64BigEndian(raw[OffDataBlocks..]);
        Check(agCount is >= 1 and <= 1_000_000 && dblocks > (ulong)(agCount - 1) * agBlocks && dblocks <= (ulong)agCount * agBlocks,
            $"{dblocks} data blocks in {agCount} AGs of {agBlocks}", OffAgCount);
        Check(dblocks <= (ulong)(deviceLength / blockSize), $"{dblocks} blocks of {blockSize} bytes pass the end of the device ({deviceLength} bytes)", OffDataBlocks);
        var dirBlkLog = raw[OffDirBlkLog];
        Check(dirBlkLog <= 16 && (long)blockSize << dirBlkLog <= 65536, $"directory block log {dirBlkLog}", OffDirBlkLog);
        Check(raw[OffInProgress] == 0, "mkfs did not finish (sb_inprogress set)", OffInProgress);

        if (BinaryPrimitives.ReadUInt64BigEndian(raw[OffRtBlocks..]) != 0 || BinaryPrimitives.ReadUInt64BigEndian(raw[OffRtExtents..]) != 0)
        {
            throw new UnsupportedFeatureException("xfs: unsupported feature: realtime subvolume");
        }

        if (version == 4 && (versionNum & XfsFeatures.VersionDirV2) == 0)
        {
            throw new UnsupportedFeatureException("xfs: unsupported feature: version 1 directories");
        }

        uint features2 = 0;
        if ((versionNum & XfsFeatures.VersionMoreBits) != 0)
        {
            // Old kernels wrote features2 at the misaligned sb_bad_features2 slot; the kernel merges both.
            features2 = BinaryPrimitives.ReadUInt32BigEndian(raw[OffFeatures2..]) | BinaryPrimitives.ReadUInt32BigEndian(raw[OffBadFeatures2..]);
        }

        uint compat = 0, roCompat = 0, incompat = 0, logIncompat = 0;
        if (version == 5)
        {
            compat = BinaryPrimitives.ReadUInt32BigEndian(raw[OffCompat..]);
            roCompat = BinaryPrimitives.ReadUInt32BigEndian(raw[OffRoCompat..]);
            incompat = BinaryPrimitives.ReadUInt32BigEndian(raw[OffIncompat..]);
            logIncompat = BinaryPrimitives.ReadUInt32BigEndian(raw[OffLogIncompat..]);
            var unknown = incompat & ~XfsFeatures.IncompatReadable;
            if (unknown != 0)
            {
                throw new UnsupportedFeatureException($"xfs: unsupported incompat features: {XfsFeatures.NameIncompat(unknown)}");
            }
        }
        else
        {
            if ((features2 & XfsFeatures.Features2Crc) != 0)
            {
                throw new InvalidImageException("xfs: superblock version 4 has the crc feature bit (offset 0xc8)");
            }

            var unknown = features2 & ~XfsFeatures.Features2Readable;
            if (unknown != 0)
            {
                throw new UnsupportedFeatureException($"xfs: unsupported features2: {XfsFeatures.NameFeatures2(unknown)}");
            }
        }

        var uuid = raw.Slice(OffUuid, 16).ToArray();
        var metaUuid = version == 5 && (incompat & XfsFeatures.IncompatMetaUuid) != 0 ? raw.Slice(OffMetaUuid, 16).ToArray() : uuid;
        var label = Encoding.UTF8.GetString(raw.Slice(OffLabel, 12)).TrimEnd('\0');
        var sb = new XfsSuperblock
        {
            Version = version,
            BlockSize = (int)blockSize,
            BlockLog = raw[OffBlockLog],
            DataBlocks = (long)dblocks,
            Uuid = new Guid(uuid, bigEndian: true),
            UuidBytes = uuid,
            MetaUuidBytes = metaUuid,
            LogStart = (long)BinaryPrimitives.ReadUInt64BigEndian(raw[OffLogStart..]),
            LogBlocks = BinaryPrimitives.ReadUInt32BigEndian(raw[OffLogBlocks..]),
            RootInode = BinaryPrimitives.ReadUInt64BigEndian(raw[OffRootIno..]),
            AgBlocks = agBlocks,
            AgCount = agCount,
            AgBlockLog = agBlkLog,
            SectorSize = sectSize,
            InodeSize = inodeSize,
            InodesPerBlock = inopb,
            InodesPerBlockLog = raw[OffInopbLog],
            DirBlockSize = (int)blockSize << dirBlkLog,
            DirBlockLog = dirBlkLog,
            VersionNum = versionNum,
            Features2 = features2,
            Compat = compat,
            RoCompat = roCompat,
            Incompat = incompat,
            LogIncompat = logIncompat,
            Label = label.Length == 0 ? null : label,
        };
        if (sb.LogStart != 0 && !sb.IsBlockInFs(sb.LogStart, sb.LogBlocks))
        {
            throw new InvalidImageException($"xfs: superblock: internal log at block {sb.LogStart} (+{sb.LogBlocks}) is outside the file system (offset 0x30)");
        }

        return sb;
    }

    /// <summary>True when the fs block number (AG-encoded) and <paramref name="count"/> blocks after it lie in one AG.</summary>
    public bool IsBlockInFs(long fsblock, long count)
    {
        if (fsblock < 0 || count < 0)
        {
            return false;
        }

        var agno = (ulong)fsblock >> AgBlockLog;
        var agbno = (ulong)fsblock & ((1UL << AgBlockLog) - 1);
        return agno < AgCount && agbno + (ulong)count <= AgLength((uint)agno);
    }

    /// <summary>Byte offset on the device of an AG-encoded fs block number (caller has checked it with <see cref="IsBlockInFs"/>).</summary>
    public long FsBlockToOffset(long fsblock)
    {
        var agno = (ulong)fsblock >> AgBlockLog;
        var agbno = (ulong)fsblock & ((1UL << AgBlockLog) - 1);
        return (long)((agno * AgBlocks) + agbno) * BlockSize;
    }

    private static void Check(bool ok, string what, int offset)
    {
        if (!ok)
        {
            throw new InvalidImageException($"xfs: superblock: invalid {what} (offset 0x{offset:x})");
        }
    }
}
