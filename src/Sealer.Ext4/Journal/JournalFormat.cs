namespace Sealer.Ext4.Journal;

/// <summary>JBD2 on-disk constants (all fields big-endian).</summary>
internal static class JournalFormat
{
    public const uint Magic = 0xC03B3998;

    public const uint DescriptorBlock = 1;
    public const uint CommitBlock = 2;
    public const uint SuperblockV1 = 3;
    public const uint SuperblockV2 = 4;
    public const uint RevokeBlock = 5;

    public const int HeaderSize = 12;
    public const int BlockTailSize = 4;
    public const int UuidSize = 16;
    public const int RevokeHeaderSize = 16;

    // Tag flags (a be16 at tag offset 6 in both tag layouts).
    public const ushort FlagEscape = 0x1;
    public const ushort FlagSameUuid = 0x2;
    public const ushort FlagLastTag = 0x8;

    // Commit block fields.
    public const int CommitChecksumTypeOffset = 0x0C;
    public const int CommitChecksumSizeOffset = 0x0D;
    public const int CommitChecksumOffset = 0x10;
    public const int CommitSecondsOffset = 0x30;
    public const byte Crc32ChecksumType = 1;
    public const byte Crc32ChecksumSize = 4;

    /// <summary>tid_gt: sequence numbers wrap, so compare by signed 32-bit difference.</summary>
    public static bool TidGreater(uint x, uint y) => unchecked((int)(x - y)) > 0;

    /// <summary>tid_geq, wrap-aware.</summary>
    public static bool TidGreaterOrEqual(uint x, uint y) => unchecked((int)(x - y)) >= 0;
}

/// <summary>Journal superblock feature bits.</summary>
[Flags]
internal enum JournalIncompat : uint
{
    None = 0,
    Revoke = 0x1,
    Bit64 = 0x2,
    AsyncCommit = 0x4,
    CsumV2 = 0x8,
    CsumV3 = 0x10,
    FastCommit = 0x20,
    Known = Revoke | Bit64 | AsyncCommit | CsumV2 | CsumV3 | FastCommit,
}

[Flags]
internal enum JournalCompat : uint
{
    None = 0,
    Checksum = 0x1,
}
