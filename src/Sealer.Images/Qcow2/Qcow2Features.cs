namespace Sealer.Images.Qcow2;

/// <summary>qcow2 feature bits (qcow2.rst, header fields 0x48..0x5F) and the limits Sealer enforces.</summary>
internal static class Qcow2Features
{
    public const ulong IncompatDirty = 1UL << 0;
    public const ulong IncompatCorrupt = 1UL << 1;
    public const ulong IncompatExternalData = 1UL << 2;
    public const ulong IncompatCompressionType = 1UL << 3;
    public const ulong IncompatExtendedL2 = 1UL << 4;
    public const ulong KnownIncompat = IncompatDirty | IncompatCorrupt | IncompatExternalData | IncompatCompressionType | IncompatExtendedL2;

    public const uint ExtensionEnd = 0;
    public const uint ExtensionBackingFormat = 0xE2792ACA;
    public const uint ExtensionFeatureNames = 0x6803F857;
    public const uint ExtensionBitmaps = 0x23852875;
    public const uint ExtensionExternalDataFile = 0x44415441;

    public const int MinClusterBits = 9;
    public const int MaxClusterBits = 21;

    /// <summary>qemu's QCOW_MAX_L1_SIZE: 32 MiB of L1 entries.</summary>
    public const long MaxL1Bytes = 32L << 20;

    /// <summary>qemu's QCOW_MAX_REFTABLE_SIZE: 8 MiB of refcount-table entries.</summary>
    public const long MaxRefTableBytes = 8L << 20;

    public const int MaxSnapshots = 65536;
    public const int MaxSnapshotExtra = 1024;
    public const int MaxBackingNameLength = 1023;
    public const int MaxBackingChainDepth = 16;
}
