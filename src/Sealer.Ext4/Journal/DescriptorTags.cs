using System.Buffers.Binary;

namespace Sealer.Ext4.Journal;

/// <summary>One block tag of a descriptor block.</summary>
internal readonly record struct DescriptorTag(ulong FileSystemBlock, ushort Flags, uint Checksum)
{
    public bool IsEscaped => (Flags & JournalFormat.FlagEscape) != 0;
}

/// <summary>
/// The tag layout the journal features dictate. CSUM_V3: 16-byte tag3 {blocknr, flags(be32), blocknr_high, csum32};
/// otherwise {blocknr, csum16, flags16, [blocknr_high]} of 8 bytes, 12 with 64BIT, plus 2 with CSUM_V2.
/// In both layouts the low 16 flag bits are a be16 at offset 6 and blocknr_high sits at offset 8.
/// </summary>
internal sealed class DescriptorTags
{
    private const int FlagsOffset = 6;
    private const int BlockHighOffset = 8;
    private const int Csum16Offset = 4;
    private const int Csum32Offset = 12;

    private readonly bool _is64Bit;
    private readonly bool _csumV2;
    private readonly bool _csumV3;
    private readonly int _tagBytes;
    private readonly int _areaEnd;

    public DescriptorTags(JournalIncompat features, int blockSize)
    {
        _is64Bit = (features & JournalIncompat.Bit64) != 0;
        _csumV2 = (features & JournalIncompat.CsumV2) != 0;
        _csumV3 = (features & JournalIncompat.CsumV3) != 0;
        if (_csumV3)
        {
            _tagBytes = 16;
        }
        else
        {
            _tagBytes = (_is64Bit ? 12 : 8) + (_csumV2 ? 2 : 0);
        }

        // v2/v3 descriptor blocks end with a 4-byte checksum tail that tags never occupy.
        _areaEnd = blockSize - (_csumV2 || _csumV3 ? JournalFormat.BlockTailSize : 0);
    }

    /// <summary>Tags of a descriptor block, in order; the walk is bounded by the block so it always ends.</summary>
    public List<DescriptorTag> Read(ReadOnlySpan<byte> block)
    {
        var tags = new List<DescriptorTag>();
        var offset = JournalFormat.HeaderSize;
        while (offset + _tagBytes <= _areaEnd)
        {
            var tag = block.Slice(offset, _tagBytes);
            ulong blockNumber = BinaryPrimitives.ReadUInt32BigEndian(tag);
            if (_is64Bit)
            {
                blockNumber |= (ulong)BinaryPrimitives.ReadUInt32BigEndian(tag[BlockHighOffset..]) << 32;
            }

            var flags = BinaryPrimitives.ReadUInt16BigEndian(tag[FlagsOffset..]);
            uint checksum = _csumV3
                ? BinaryPrimitives.ReadUInt32BigEndian(tag[Csum32Offset..])
                : _csumV2 ? BinaryPrimitives.ReadUInt16BigEndian(tag[Csum16Offset..]) : 0u;
            tags.Add(new DescriptorTag(blockNumber, flags, checksum));

            offset += _tagBytes;
            if ((flags & JournalFormat.FlagSameUuid) == 0)
            {
                offset += JournalFormat.UuidSize;
            }

            if ((flags & JournalFormat.FlagLastTag) != 0)
            {
                break;
            }
        }

        return tags;
    }
}
