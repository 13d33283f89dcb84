using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>The v5 metadata checksum: CRC-32C over the whole buffer with its own 4-byte field taken as zero,
/// stored little-endian (the only little-endian field in XFS).</summary>
internal static class XfsChecksum
{
    private static readonly byte[] Zero = new byte[4];

    public static uint Compute(ReadOnlySpan<byte> buffer, int crcOffset)
    {
        var crc = Crc32C.Update(0xFFFFFFFF, buffer[..crcOffset]);
        crc = Crc32C.Update(crc, Zero);
        crc = Crc32C.Update(crc, buffer[(crcOffset + 4)..]);
        return ~crc;
    }

    public static bool IsValid(ReadOnlySpan<byte> buffer, int crcOffset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(buffer[crcOffset..]) == Compute(buffer, crcOffset);

    /// <summary>Throws naming <paramref name="what"/> (structure and location) when the stored CRC does not match.</summary>
    public static void Verify(ReadOnlySpan<byte> buffer, int crcOffset, string what)
    {
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(buffer[crcOffset..]);
        var actual = Compute(buffer, crcOffset);
        if (stored != actual)
        {
            throw new InvalidImageException($"xfs: {what}: CRC mismatch (stored 0x{stored:x8}, computed 0x{actual:x8})");
        }
    }
}
