using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4.Journal;

/// <summary>The JBD2 superblock (first 1024 bytes of journal block 0), validated against the filesystem.</summary>
internal sealed class JournalSuperblock
{
    public const int Size = 1024;

    private const int BlockTypeOffset = 0x04;
    private const int BlockSizeOffset = 0x0C;
    private const int MaxLengthOffset = 0x10;
    private const int FirstOffset = 0x14;
    private const int SequenceOffset = 0x18;
    private const int StartOffset = 0x1C;
    private const int CompatOffset = 0x24;
    private const int IncompatOffset = 0x28;
    private const int RoCompatOffset = 0x2C;
    private const int UuidOffset = 0x30;
    private const int ChecksumTypeOffset = 0x50;
    private const int FastCommitBlocksOffset = 0x54;
    private const int ChecksumOffset = 0xFC;
    private const byte Crc32CChecksumType = 4;

    private JournalSuperblock(byte[] raw)
    {
        Raw = raw;
    }

    /// <summary>The raw 1024 bytes, kept so the clean-marking rewrite preserves every other field.</summary>
    public byte[] Raw { get; }

    public bool IsVersion2 { get; private init; }

    public uint MaxLength { get; private init; }

    public uint First { get; private init; }

    public uint Sequence { get; private init; }

    public uint Start { get; private init; }

    public JournalCompat Compat { get; private init; }

    public JournalIncompat Incompat { get; private init; }

    public uint RoCompat { get; private init; }

    public uint FastCommitBlocks { get; private init; }

    public bool HasCsumV2OrV3 => (Incompat & (JournalIncompat.CsumV2 | JournalIncompat.CsumV3)) != 0;

    /// <summary>j_csum_seed: crc32c_raw(~0, uuid).</summary>
    public uint ChecksumSeed => Crc32C.Update(0xFFFFFFFF, Raw.AsSpan(UuidOffset, JournalFormat.UuidSize));

    /// <summary>Checks the structural fields (magic, type, block size, length, checksum) that matter even for a clean journal.</summary>
    public static JournalSuperblock Parse(ReadOnlySpan<byte> raw, int blockSize, long journalBlockCount)
    {
        if (raw.Length < Size)
        {
            throw new InvalidImageException("jbd2: journal superblock is truncated (journal block 0)");
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(raw);
        if (magic != JournalFormat.Magic)
        {
            throw new InvalidImageException($"jbd2: bad journal superblock magic 0x{magic:x8} (journal block 0)");
        }

        var type = BinaryPrimitives.ReadUInt32BigEndian(raw[BlockTypeOffset..]);
        if (type is not (JournalFormat.SuperblockV1 or JournalFormat.SuperblockV2))
        {
            throw new InvalidImageException($"jbd2: unknown journal superblock type {type} (journal block 0)");
        }

        var v2 = type == JournalFormat.SuperblockV2;
        var declaredBlockSize = BinaryPrimitives.ReadUInt32BigEndian(raw[BlockSizeOffset..]);
        if (declaredBlockSize != (uint)blockSize)
        {
            throw new InvalidImageException(
                $"jbd2: journal block size {declaredBlockSize} differs from the filesystem block size {blockSize} (journal block 0)");
        }

        var maxLength = BinaryPrimitives.ReadUInt32BigEndian(raw[MaxLengthOffset..]);
        if (maxLength > journalBlockCount)
        {
            throw new InvalidImageException(
                $"jbd2: journal length {maxLength} blocks exceeds the journal inode's {journalBlockCount} blocks (journal block 0)");
        }

        var first = BinaryPrimitives.ReadUInt32BigEndian(raw[FirstOffset..]);
        if (first == 0 || first >= maxLength)
        {
            throw new InvalidImageException($"jbd2: first log block {first} is outside the journal of {maxLength} blocks (journal block 0)");
        }

        var sb = new JournalSuperblock(raw[..Size].ToArray())
        {
            IsVersion2 = v2,
            MaxLength = maxLength,
            First = first,
            Sequence = BinaryPrimitives.ReadUInt32BigEndian(raw[SequenceOffset..]),
            Start = BinaryPrimitives.ReadUInt32BigEndian(raw[StartOffset..]),

            // A v1 superblock has no feature words; the kernel treats its features as all clear.
            Compat = v2 ? (JournalCompat)BinaryPrimitives.ReadUInt32BigEndian(raw[CompatOffset..]) : JournalCompat.None,
            Incompat = v2 ? (JournalIncompat)BinaryPrimitives.ReadUInt32BigEndian(raw[IncompatOffset..]) : JournalIncompat.None,
            RoCompat = v2 ? BinaryPrimitives.ReadUInt32BigEndian(raw[RoCompatOffset..]) : 0,
            FastCommitBlocks = v2 ? BinaryPrimitives.ReadUInt32BigEndian(raw[FastCommitBlocksOffset..]) : 0,
        };
        sb.CheckChecksums(raw);
        return sb;
    }

    /// <summary>Refuses features this replayer does not implement; called only when the log needs replaying.</summary>
    public void CheckFeaturesForReplay()
    {
        var unknown = Incompat & ~JournalIncompat.Known;
        if (unknown != 0)
        {
            throw new UnsupportedFeatureException($"jbd2: cannot replay: unsupported journal incompat features 0x{(uint)unknown:x}");
        }

        if (RoCompat != 0)
        {
            throw new UnsupportedFeatureException($"jbd2: cannot replay: unsupported journal ro_compat features 0x{RoCompat:x}");
        }
    }

    /// <summary>A copy of the superblock marked empty (s_start = 0) with s_sequence = <paramref name="nextSequence"/>
    /// and a fresh checksum, as e2fsck leaves it after recovery.</summary>
    public byte[] BuildClean(uint nextSequence)
    {
        var clean = (byte[])Raw.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(clean.AsSpan(SequenceOffset), nextSequence);
        BinaryPrimitives.WriteUInt32BigEndian(clean.AsSpan(StartOffset), 0);
        if (HasCsumV2OrV3)
        {
            BinaryPrimitives.WriteUInt32BigEndian(clean.AsSpan(ChecksumOffset), ComputeChecksum(clean));
        }

        return clean;
    }

    private static uint ComputeChecksum(ReadOnlySpan<byte> raw)
    {
        var crc = Crc32C.Update(0xFFFFFFFF, raw[..ChecksumOffset]);
        crc = Crc32C.Update(crc, [0, 0, 0, 0]);
        return Crc32C.Update(crc, raw[(ChecksumOffset + 4)..Size]);
    }

    private void CheckChecksums(ReadOnlySpan<byte> raw)
    {
        var v2 = (Incompat & JournalIncompat.CsumV2) != 0;
        var v3 = (Incompat & JournalIncompat.CsumV3) != 0;
        if (v2 && v3)
        {
            throw new InvalidImageException("jbd2: journal has both checksum v2 and v3 features (journal block 0)");
        }

        if (HasCsumV2OrV3 && (Compat & JournalCompat.Checksum) != 0)
        {
            throw new InvalidImageException("jbd2: journal has both checksum v1 and v2/v3 features (journal block 0)");
        }

        if (!HasCsumV2OrV3)
        {
            return;
        }

        if (raw[ChecksumTypeOffset] != Crc32CChecksumType)
        {
            throw new InvalidImageException($"jbd2: unknown journal checksum type {raw[ChecksumTypeOffset]} (journal block 0)");
        }

        var stored = BinaryPrimitives.ReadUInt32BigEndian(raw[ChecksumOffset..]);
        var computed = ComputeChecksum(raw);
        if (stored != computed)
        {
            throw new InvalidImageException(
                $"jbd2: journal superblock checksum 0x{stored:x8} does not match 0x{computed:x8} (journal block 0)");
        }
    }
}
