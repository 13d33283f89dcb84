namespace Sealer.Xfs;

/// <summary>Feature bits of the XFS superblock (sb_versionnum, sb_features2 and the v5 feature words) and their names.</summary>
internal static class XfsFeatures
{
    // sb_versionnum bits (above the 4-bit version number).
    public const ushort VersionAttr = 0x0010;
    public const ushort VersionNlink = 0x0020;
    public const ushort VersionQuota = 0x0040;
    public const ushort VersionAlign = 0x0080;
    public const ushort VersionDalign = 0x0100;
    public const ushort VersionShared = 0x0200;
    public const ushort VersionLogV2 = 0x0400;
    public const ushort VersionSector = 0x0800;
    public const ushort VersionExtFlg = 0x1000;
    public const ushort VersionDirV2 = 0x2000;
    public const ushort VersionBorg = 0x4000;
    public const ushort VersionMoreBits = 0x8000;

    // sb_features2 bits.
    public const uint Features2LazySbCount = 0x0002;
    public const uint Features2Attr2 = 0x0008;
    public const uint Features2Parent = 0x0010;
    public const uint Features2ProjId32 = 0x0080;
    public const uint Features2Crc = 0x0100;
    public const uint Features2FType = 0x0200;
    public const uint Features2Readable = Features2LazySbCount | Features2Attr2 | Features2ProjId32 | Features2Crc | Features2FType;

    // v5 read-only compatible features.
    public const uint RoCompatFinobt = 0x1;
    public const uint RoCompatRmapbt = 0x2;
    public const uint RoCompatReflink = 0x4;
    public const uint RoCompatInobtCount = 0x8;

    // v5 incompatible features.
    public const uint IncompatFType = 0x001;
    public const uint IncompatSparseInodes = 0x002;
    public const uint IncompatMetaUuid = 0x004;
    public const uint IncompatBigTime = 0x008;
    public const uint IncompatNeedsRepair = 0x010;
    public const uint IncompatNrext64 = 0x020;
    public const uint IncompatExchangeRange = 0x040;
    public const uint IncompatParent = 0x080;
    public const uint IncompatMetaDir = 0x100;
    public const uint IncompatZoned = 0x200;

    /// <summary>Incompat features whose on-disk formats this driver reads.</summary>
    public const uint IncompatReadable = IncompatFType | IncompatSparseInodes | IncompatMetaUuid | IncompatBigTime
        | IncompatNrext64 | IncompatExchangeRange;

    // v5 log incompatible features.
    public const uint LogIncompatXattrs = 0x1;

    public static string NameIncompat(uint bits) => Names(bits, bit => bit switch
    {
        IncompatFType => "ftype",
        IncompatSparseInodes => "sparse",
        IncompatMetaUuid => "meta_uuid",
        IncompatBigTime => "bigtime",
        IncompatNeedsRepair => "needsrepair",
        IncompatNrext64 => "nrext64",
        IncompatExchangeRange => "exchange",
        IncompatParent => "parent",
        IncompatMetaDir => "metadir",
        IncompatZoned => "zoned",
        _ => null,
    });

    public static string NameRoCompat(uint bits) => Names(bits, bit => bit switch
    {
        RoCompatFinobt => "finobt",
        RoCompatRmapbt => "rmapbt",
        RoCompatReflink => "reflink",
        RoCompatInobtCount => "inobtcount",
        _ => null,
    });

    public static string NameFeatures2(uint bits) => Names(bits, bit => bit switch
    {
        Features2LazySbCount => "lazy-count",
        Features2Attr2 => "attr2",
        Features2Parent => "parent",
        Features2ProjId32 => "projid32bit",
        Features2Crc => "crc",
        Features2FType => "ftype",
        _ => null,
    });

    private static string Names(uint bits, Func<uint, string?> name)
    {
        var parts = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            var bit = 1u << i;
            if ((bits & bit) != 0)
            {
                parts.Add(name(bit) ?? $"0x{bit:x}");
            }
        }

        return string.Join(", ", parts);
    }
}
