namespace Sealer.Lvm;

/// <summary>The CRC-32 LVM2 uses for labels, metadata-area headers and metadata text: the IEEE polynomial
/// (reflected, 0xEDB88320) seeded with 0xf597a6cf and without a final inversion.</summary>
internal static class LvmCrc
{
    public const uint InitialCrc = 0xf597a6cf;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Update(InitialCrc, data);

    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
