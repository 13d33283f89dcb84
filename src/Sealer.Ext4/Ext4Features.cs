namespace Sealer.Ext4;

/// <summary>Feature bits of the ext2/3/4 superblock and the names e2fsprogs gives them.</summary>
internal static class Ext4Features
{
    public const uint CompatHasJournal = 0x4;
    public const uint CompatExtAttr = 0x8;
    public const uint CompatResizeInode = 0x10;
    public const uint CompatDirIndex = 0x20;
    public const uint CompatLazyBg = 0x40;
    public const uint CompatExcludeBitmap = 0x100;
    public const uint CompatSparseSuper2 = 0x200;
    public const uint CompatOrphanFile = 0x1000;

    public const uint IncompatCompression = 0x1;
    public const uint IncompatFileType = 0x2;
    public const uint IncompatRecover = 0x4;
    public const uint IncompatJournalDev = 0x8;
    public const uint IncompatMetaBg = 0x10;
    public const uint IncompatExtents = 0x40;
    public const uint Incompat64Bit = 0x80;
    public const uint IncompatMmp = 0x100;
    public const uint IncompatFlexBg = 0x200;
    public const uint IncompatEaInode = 0x400;
    public const uint IncompatDirData = 0x1000;
    public const uint IncompatCsumSeed = 0x2000;
    public const uint IncompatLargeDir = 0x4000;
    public const uint IncompatInlineData = 0x8000;
    public const uint IncompatEncrypt = 0x10000;
    public const uint IncompatCasefold = 0x20000;

    public const uint RoCompatSparseSuper = 0x1;
    public const uint RoCompatLargeFile = 0x2;
    public const uint RoCompatBtreeDir = 0x4;
    public const uint RoCompatHugeFile = 0x8;
    public const uint RoCompatGdtCsum = 0x10;
    public const uint RoCompatDirNlink = 0x20;
    public const uint RoCompatExtraIsize = 0x40;
    public const uint RoCompatHasSnapshot = 0x80;
    public const uint RoCompatQuota = 0x100;
    public const uint RoCompatBigalloc = 0x200;
    public const uint RoCompatMetadataCsum = 0x400;
    public const uint RoCompatReplica = 0x800;
    public const uint RoCompatReadOnly = 0x1000;
    public const uint RoCompatProject = 0x2000;
    public const uint RoCompatSharedBlocks = 0x4000;
    public const uint RoCompatVerity = 0x8000;
    public const uint RoCompatOrphanPresent = 0x10000;

    /// <summary>Incompat bits this driver can at least read; any other bit refuses the open.</summary>
    public const uint IncompatReadable = IncompatFileType | IncompatRecover | IncompatMetaBg | IncompatExtents |
        Incompat64Bit | IncompatMmp | IncompatFlexBg | IncompatEaInode | IncompatCsumSeed | IncompatLargeDir |
        IncompatInlineData | IncompatEncrypt | IncompatCasefold;

    /// <summary>Incompat bits that are safe to keep while writing (per-inode encrypt/casefold are checked per directory).</summary>
    public const uint IncompatWritable = IncompatFileType | IncompatMetaBg | IncompatExtents | Incompat64Bit |
        IncompatFlexBg | IncompatCsumSeed | IncompatLargeDir | IncompatInlineData | IncompatEncrypt | IncompatCasefold;

    /// <summary>Ro_compat bits whose invariants the writer maintains (verity files themselves are never modified).</summary>
    public const uint RoCompatWritable = RoCompatSparseSuper | RoCompatLargeFile | RoCompatBtreeDir | RoCompatHugeFile |
        RoCompatGdtCsum | RoCompatDirNlink | RoCompatExtraIsize | RoCompatMetadataCsum | RoCompatProject | RoCompatVerity;

    public const uint CompatWritable = 0x1 | 0x2 | CompatHasJournal | CompatExtAttr | CompatResizeInode | CompatDirIndex |
        CompatSparseSuper2 | 0x400 | 0x800 | CompatOrphanFile;

    private static readonly (uint Bit, string Name)[] IncompatNames =
    [
        (IncompatCompression, "compression"), (IncompatFileType, "filetype"), (IncompatRecover, "needs_recovery"),
        (IncompatJournalDev, "journal_dev"), (IncompatMetaBg, "meta_bg"), (IncompatExtents, "extent"),
        (Incompat64Bit, "64bit"), (IncompatMmp, "mmp"), (IncompatFlexBg, "flex_bg"), (IncompatEaInode, "ea_inode"),
        (IncompatDirData, "dirdata"), (IncompatCsumSeed, "metadata_csum_seed"), (IncompatLargeDir, "large_dir"),
        (IncompatInlineData, "inline_data"), (IncompatEncrypt, "encrypt"), (IncompatCasefold, "casefold"),
    ];

    private static readonly (uint Bit, string Name)[] RoCompatNames =
    [
        (RoCompatSparseSuper, "sparse_super"), (RoCompatLargeFile, "large_file"), (RoCompatBtreeDir, "btree_dir"),
        (RoCompatHugeFile, "huge_file"), (RoCompatGdtCsum, "uninit_bg"), (RoCompatDirNlink, "dir_nlink"),
        (RoCompatExtraIsize, "extra_isize"), (RoCompatHasSnapshot, "snapshot"), (RoCompatQuota, "quota"),
        (RoCompatBigalloc, "bigalloc"), (RoCompatMetadataCsum, "metadata_csum"), (RoCompatReplica, "replica"),
        (RoCompatReadOnly, "read-only"), (RoCompatProject, "project"), (RoCompatSharedBlocks, "shared_blocks"),
        (RoCompatVerity, "verity"), (RoCompatOrphanPresent, "orphan_present"),
    ];

    private static readonly (uint Bit, string Name)[] CompatNames =
    [
        (CompatLazyBg, "lazy_bg"), (CompatExcludeBitmap, "exclude_bitmap"),
    ];

    public static string NameIncompat(uint bits) => Describe(bits, IncompatNames);

    public static string NameRoCompat(uint bits) => Describe(bits, RoCompatNames);

    public static string NameCompat(uint bits) => Describe(bits, CompatNames);

    private static string Describe(uint bits, (uint Bit, string Name)[] table)
    {
        var names = new List<string>();
        for (var bit = 1u; bit != 0; bit <<= 1)
        {
            if ((bits & bit) == 0)
            {
                continue;
            }

            var known = Array.Find(table, t => t.Bit == bit);
            names.Add(known.Name ?? $"0x{bit:x}");
        }

        return string.Join(", ", names);
    }
}
