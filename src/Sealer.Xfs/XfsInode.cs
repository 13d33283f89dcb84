using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Xfs;

/// <summary>Where an inode's data or attribute fork keeps its content (di_format / di_aformat).</summary>
internal enum ForkFormat : byte
{
    Device = 0,
    Local = 1,
    Extents = 2,
    Btree = 3,
}

/// <summary>One validated on-disk inode (xfs_dinode): the core fields and copies of both fork areas.</summary>
internal sealed class XfsInode
{
    public const ushort Magic = 0x494E; // "IN"
    public const ushort FlagRealtime = 0x0001;
    public const ulong Flag2Reflink = 0x2;
    public const ulong Flag2BigTime = 0x8;
    public const ulong Flag2Nrext64 = 0x10;
    public const int CoreSizeV2 = 100;
    public const int CoreSizeV3 = 176;
    private const int OffMode = 2;
    private const int OffVersion = 4;
    private const int OffFormat = 5;
    private const int OffOldLinks = 6;
    private const int OffUid = 8;
    private const int OffGid = 12;
    private const int OffNlink = 16;
    private const int OffBigNextents = 24;
    private const int OffAtime = 32;
    private const int OffMtime = 40;
    private const int OffCtime = 48;
    private const int OffSize = 56;
    private const int OffNblocks = 64;
    private const int OffNextents = 76;
    private const int OffAnextents = 80;
    private const int OffForkOff = 82;
    private const int OffAformat = 83;
    private const int OffFlags = 90;
    public const int OffCrc = 100;
    private const int OffFlags2 = 120;
    private const int OffIno = 152;
    private const int OffUuid = 160;

    /// <summary>Seconds from 1901-12-13T20:45:52Z (the bigtime epoch) to the Unix epoch.</summary>
    private const long BigTimeEpochOffset = 1L << 31;

    public ulong Number { get; private init; }

    public uint Mode { get; private init; }

    public FileKind Kind => FileModeBits.KindOf(Mode);

    public int Uid { get; private init; }

    public int Gid { get; private init; }

    public uint LinkCount { get; private init; }

    public long Size { get; private init; }

    public ushort Flags { get; private init; }

    public ulong Flags2 { get; private init; }

    public ForkFormat DataFormat { get; private init; }

    public ForkFormat AttrFormat { get; private init; }

    public byte[] DataFork { get; private init; } = [];

    /// <summary>The attribute fork area, or null when the inode has none (di_forkoff 0).</summary>
    public byte[]? AttrFork { get; private init; }

    public ulong DataExtents { get; private init; }

    public ulong AttrExtents { get; private init; }

    public long AccessTime { get; private init; }

    public long ModifiedTime { get; private init; }

    public long ChangeTime { get; private init; }

    /// <summary>"inode N" for messages.</summary>
    public string Where => $"inode {Number}";

    /// <summary>Reads and validates inode <paramref name="ino"/>; the number itself is checked against the geometry first.</summary>
    public static XfsInode Read(XfsVolume vol, ulong ino)
    {
        var sb = vol.Sb;
        var offset = Locate(sb, ino);
        var raw = new byte[sb.InodeSize];
        vol.ReadAt(offset, raw);
        return Parse(sb, ino, raw, offset);
    }

    /// <summary>Byte offset of inode <paramref name="ino"/>, or an error when the number cannot exist in this geometry.</summary>
    public static long Locate(XfsSuperblock sb, ulong ino)
    {
        var aginoBits = sb.AgBlockLog + sb.InodesPerBlockLog;
        var agno = ino >> aginoBits;
        var agino = ino & ((1UL << aginoBits) - 1);
        var agbno = agino >> sb.InodesPerBlockLog;
        var index = agino & (ulong)(sb.InodesPerBlock - 1);
        if (ino == 0 || agno >= sb.AgCount || agbno >= sb.AgLength((uint)agno) || agbno == 0)
        {
            throw new InvalidImageException($"xfs: inode number {ino} is outside the file system (AG {agno}, block {agbno})");
        }

        return (long)((agno * sb.AgBlocks) + agbno) * sb.BlockSize + (long)index * sb.InodeSize;
    }

    internal static XfsInode Parse(XfsSuperblock sb, ulong ino, ReadOnlySpan<byte> raw, long offset)
    {
        var where = $"inode {ino} (offset 0x{offset:x})";
        Check(BinaryPrimitives.ReadUInt16BigEndian(raw) == Magic, where, "bad magic");
        var version = raw[OffVersion];
        if (sb.HasCrc)
        {
            Check(version == 3, where, $"version {version} in a v5 file system");
            XfsChecksum.Verify(raw, OffCrc, where);
            Check(BinaryPrimitives.ReadUInt64BigEndian(raw[OffIno..]) == ino, where, "di_ino does not match the inode number");
            Check(raw.Slice(OffUuid, 16).SequenceEqual(sb.MetaUuidBytes), where, "UUID does not match the file system");
        }
        else
        {
            Check(version is 1 or 2, where, $"version {version} in a v4 file system");
        }

        var coreSize = version == 3 ? CoreSizeV3 : CoreSizeV2;
        var mode = BinaryPrimitives.ReadUInt16BigEndian(raw[OffMode..]);
        var flags2 = version == 3 ? BinaryPrimitives.ReadUInt64BigEndian(raw[OffFlags2..]) : 0;
        var nrext64 = (flags2 & Flag2Nrext64) != 0;
        Check(!nrext64 || sb.HasIncompat(XfsFeatures.IncompatNrext64), where, "nrext64 inode flag without the nrext64 feature");
        var bigtime = (flags2 & Flag2BigTime) != 0;
        Check(!bigtime || sb.HasIncompat(XfsFeatures.IncompatBigTime), where, "bigtime inode flag without the bigtime feature");
        var size = BinaryPrimitives.ReadInt64BigEndian(raw[OffSize..]);
        Check(size >= 0, where, $"negative size {size}");
        var format = raw[OffFormat];
        var aformat = raw[OffAformat];
        var forkOff = raw[OffForkOff] * 8;
        var literal = sb.InodeSize - coreSize;
        Check(forkOff < literal, where, $"attribute fork offset {forkOff} passes the literal area of {literal} bytes");
        Check(format <= (byte)ForkFormat.Btree, where, $"unknown data fork format {format}");
        var dataSize = forkOff == 0 ? literal : forkOff;
        byte[]? attr = null;
        if (forkOff != 0)
        {
            Check(aformat is (byte)ForkFormat.Local or (byte)ForkFormat.Extents or (byte)ForkFormat.Btree, where, $"unknown attribute fork format {aformat}");
            attr = raw.Slice(coreSize + forkOff, literal - forkOff).ToArray();
        }

        var dataExtents = nrext64 ? BinaryPrimitives.ReadUInt64BigEndian(raw[OffBigNextents..]) : BinaryPrimitives.ReadUInt32BigEndian(raw[OffNextents..]);
        var attrExtents = nrext64 ? BinaryPrimitives.ReadUInt32BigEndian(raw[OffNextents..]) : BinaryPrimitives.ReadUInt16BigEndian(raw[OffAnextents..]);
        return new XfsInode
        {
            Number = ino,
            Mode = mode,
            Uid = (int)BinaryPrimitives.ReadUInt32BigEndian(raw[OffUid..]),
            Gid = (int)BinaryPrimitives.ReadUInt32BigEndian(raw[OffGid..]),
            LinkCount = version == 1 ? BinaryPrimitives.ReadUInt16BigEndian(raw[OffOldLinks..]) : BinaryPrimitives.ReadUInt32BigEndian(raw[OffNlink..]),
            Size = size,
            Flags = BinaryPrimitives.ReadUInt16BigEndian(raw[OffFlags..]),
            Flags2 = flags2,
            DataFormat = (ForkFormat)format,
            AttrFormat = (ForkFormat)aformat,
            DataFork = raw.Slice(coreSize, dataSize).ToArray(),
            AttrFork = attr,
            DataExtents = dataExtents,
            AttrExtents = attrExtents,
            AccessTime = Time(raw[OffAtime..], bigtime),
            ModifiedTime = Time(raw[OffMtime..], bigtime),
            ChangeTime = Time(raw[OffCtime..], bigtime),
        };
    }

    /// <summary>Unix seconds of a timestamp: bigtime is nanoseconds since the bigtime epoch, else signed seconds + ns.</summary>
    private static long Time(ReadOnlySpan<byte> raw, bool bigtime) => bigtime
        ? (long)(BinaryPrimitives.ReadUInt64BigEndian(raw) / 1_000_000_000UL) - BigTimeEpochOffset
        : BinaryPrimitives.ReadInt32BigEndian(raw);

    private static void Check(bool ok, string where, string what)
    {
        if (!ok)
        {
            throw new InvalidImageException($"xfs: {where}: {what}");
        }
    }
}
