namespace Sealer.Images.Qcow2;

/// <summary>Bit layout of L1 and L2 entries (qcow2.rst "Cluster mapping").</summary>
internal static class Qcow2Entry
{
    public const ulong Copied = 1UL << 63;
    public const ulong Compressed = 1UL << 62;
    public const ulong ZeroFlag = 1UL;
    public const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00UL;
    public const ulong L1Reserved = 0x7F00_0000_0000_01FFUL;
    public const ulong StandardReserved = 0x3F00_0000_0000_01FEUL;

    /// <summary>How a guest cluster is stored.</summary>
    public enum Kind
    {
        /// <summary>No entry: reads from the backing file, or zeros.</summary>
        Unallocated,

        /// <summary>Reads as zeros (zero flag), with or without a preallocated host cluster.</summary>
        Zero,

        Normal,
        Compressed,

        /// <summary>Extended L2: look at the subcluster bitmap.</summary>
        Subclusters,
    }
}
