using System.Numerics;

namespace Sealer.Core.Checksums;

/// <summary>CRC-32C (Castagnoli) in the "raw" form ext4 and jbd2 use: caller-chosen seed, no final inversion.</summary>
public static class Crc32C
{
    /// <summary>Continues a raw CRC-32C over <paramref name="data"/>, hardware-accelerated where available.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return crc;
    }

    /// <summary>The standard CRC-32C (init ~0, final ~).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);
}
