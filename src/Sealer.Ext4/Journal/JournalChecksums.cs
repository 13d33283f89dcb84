using System.Buffers.Binary;
using Sealer.Core.Checksums;

namespace Sealer.Ext4.Journal;

/// <summary>CSUM_V2/V3 block checks (crc32c seeded with crc32c(~0, journal uuid)); all pass when the journal has none.</summary>
internal sealed class JournalChecksums(JournalSuperblock superblock)
{
    private readonly bool _enabled = superblock.HasCsumV2OrV3;
    private readonly bool _fullTagChecksum = (superblock.Incompat & JournalIncompat.CsumV3) != 0;
    private readonly uint _seed = superblock.HasCsumV2OrV3 ? superblock.ChecksumSeed : 0;

    /// <summary>Descriptor and revoke blocks: crc over the block with its 4-byte tail taken as zero.</summary>
    public bool VerifyBlockTail(ReadOnlySpan<byte> block)
    {
        if (!_enabled)
        {
            return true;
        }

        var tailOffset = block.Length - JournalFormat.BlockTailSize;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(block[tailOffset..]);
        var crc = Crc32C.Update(_seed, block[..tailOffset]);
        crc = Crc32C.Update(crc, [0, 0, 0, 0]);
        return stored == crc;
    }

    /// <summary>Commit blocks: crc over the block with h_chksum[0] taken as zero.</summary>
    public bool VerifyCommit(ReadOnlySpan<byte> block)
    {
        if (!_enabled)
        {
            return true;
        }

        var at = JournalFormat.CommitChecksumOffset;
        var stored = BinaryPrimitives.ReadUInt32BigEndian(block[at..]);
        var crc = Crc32C.Update(_seed, block[..at]);
        crc = Crc32C.Update(crc, [0, 0, 0, 0]);
        crc = Crc32C.Update(crc, block[(at + 4)..]);
        return stored == crc;
    }

    /// <summary>Data blocks: crc(crc(seed, be32 tid), data); v3 stores all 32 bits, v2 the low 16.</summary>
    public bool VerifyData(DescriptorTag tag, uint tid, ReadOnlySpan<byte> data)
    {
        if (!_enabled)
        {
            return true;
        }

        Span<byte> sequence = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sequence, tid);
        var crc = Crc32C.Update(Crc32C.Update(_seed, sequence), data);
        return _fullTagChecksum ? tag.Checksum == crc : tag.Checksum == (crc & 0xFFFF);
    }
}
