using System.Buffers.Binary;

namespace Sealer.Partitions.Mbr;

/// <summary>One 16-byte MBR/EBR partition entry (util-linux include/pt-mbr.h). CHS fields are legacy and ignored.</summary>
internal readonly record struct MbrEntry(byte BootFlag, byte Type, uint StartLba, uint SectorCount)
{
    public const int Size = 16;

    /// <summary>First entry of the table inside a (E)BR sector.</summary>
    public const int TableOffset = 0x1BE;

    public const byte GptProtectiveType = 0xEE;

    public bool IsUsed => Type != 0 && SectorCount != 0;

    /// <summary>DOS (0x05), Windows LBA (0x0F) and Linux (0x85) extended containers.</summary>
    public bool IsExtended => Type is 0x05 or 0x0F or 0x85;

    public static MbrEntry Parse(ReadOnlySpan<byte> sector, int index)
    {
        var entry = sector.Slice(TableOffset + (index * Size), Size);
        return new MbrEntry(
            BootFlag: entry[0],
            Type: entry[4],
            StartLba: BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]),
            SectorCount: BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]));
    }

    /// <summary>The 0x55AA boot signature at offset 0x1FE.</summary>
    public static bool HasBootSignature(ReadOnlySpan<byte> sector) => sector[0x1FE] == 0x55 && sector[0x1FF] == 0xAA;
}
