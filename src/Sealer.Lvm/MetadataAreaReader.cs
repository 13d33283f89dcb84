using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Lvm;

/// <summary>
/// Reads an mda_header and the metadata text its first raw_locn points to. The text lives in a circular buffer that
/// starts after the 512-byte header; a text that passes the end of the area continues right after the header.
/// </summary>
internal static class MetadataAreaReader
{
    private const int HeaderBytes = 512;
    private const int ChecksumOffset = 0;   // u32: CRC of bytes 4..511
    private const int MagicOffset = 4;      // 16 bytes
    private const int VersionOffset = 20;   // u32, 1
    private const int StartOffset = 24;     // u64: absolute offset of this area
    private const int SizeOffset = 32;      // u64: size of this area
    private const int RawLocnOffset = 40;   // raw_locn[]: u64 offset (from the area start), u64 size, u32 checksum, u32 flags
    private const uint RawLocnIgnored = 1;  // pvchange --metadataignore y

    /// <summary>Larger texts are refused before anything is allocated.</summary>
    public const long MaxTextBytes = Text.MetadataParser.MaxTextBytes;

    private static readonly byte[] Magic = " LVM2 x[5A%r0N*>"u8.ToArray();

    /// <summary>The outcome of reading one metadata area.</summary>
    public sealed record Result(MetadataCopy? Copy, string? Warning);

    /// <summary>
    /// Reads the metadata area at <paramref name="area"/>. A header or text whose checksum does not match gives a
    /// warning and no copy (other copies may be good); an empty or ignored area gives neither.
    /// </summary>
    public static Result Read(LvmDevice device, DiskArea area, int index)
    {
        var where = $"lvm: {device.Name}: metadata area {index} (offset 0x{area.Offset:x})";
        if (area.Size < 2 * HeaderBytes)
        {
            return new Result(null, $"{where}: size 0x{area.Size:x} is too small for a header and text; skipped");
        }

        var header = new byte[HeaderBytes];
        device.Device.Read(area.Offset, header);
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(ChecksumOffset));
        var crc = LvmCrc.Compute(header.AsSpan(MagicOffset));
        if (stored != crc)
        {
            return new Result(null, $"{where}: mda_header checksum 0x{stored:x8} does not match the computed 0x{crc:x8}; copy skipped");
        }

        if (!header.AsSpan(MagicOffset, Magic.Length).SequenceEqual(Magic))
        {
            return new Result(null, $"{where}: mda_header has a wrong magic; copy skipped");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(VersionOffset));
        if (version != 1)
        {
            throw new UnsupportedFeatureException($"{where}: mda_header version {version} (only 1 is known)");
        }

        var start = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(StartOffset));
        var size = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(SizeOffset));
        if (start != (ulong)area.Offset || size != (ulong)area.Size)
        {
            return new Result(null, $"{where}: mda_header records start 0x{start:x} size 0x{size:x}, not the pv_header's; copy skipped");
        }

        var locn = header.AsSpan(RawLocnOffset);
        var textOffset = BinaryPrimitives.ReadUInt64LittleEndian(locn);
        var textSize = BinaryPrimitives.ReadUInt64LittleEndian(locn[8..]);
        var textChecksum = BinaryPrimitives.ReadUInt32LittleEndian(locn[16..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(locn[20..]);
        if ((flags & RawLocnIgnored) != 0 || textOffset == 0)
        {
            return new Result(null, null);
        }

        var areaSize = (ulong)area.Size;
        if (textOffset < HeaderBytes || textOffset >= areaSize || textSize == 0 || textSize > areaSize - HeaderBytes)
        {
            throw new InvalidImageException(
                $"{where}: raw_locn offset 0x{textOffset:x} size 0x{textSize:x} does not fit the circular buffer (0x{HeaderBytes:x}..0x{areaSize:x})");
        }

        if (textSize > MaxTextBytes)
        {
            throw new InvalidImageException($"{where}: metadata text of 0x{textSize:x} bytes exceeds the limit of 0x{MaxTextBytes:x}");
        }

        var text = new byte[(int)textSize];
        var first = (int)Math.Min(textSize, areaSize - textOffset);
        device.Device.Read(area.Offset + (long)textOffset, text.AsSpan(0, first));
        if (first < text.Length)
        {
            // Wrapped: the rest starts right after the header.
            device.Device.Read(area.Offset + HeaderBytes, text.AsSpan(first));
        }

        var textCrc = LvmCrc.Compute(text);
        if (textCrc != textChecksum)
        {
            return new Result(null,
                $"{where}: metadata text at 0x{area.Offset + (long)textOffset:x} has checksum 0x{textCrc:x8}, raw_locn records 0x{textChecksum:x8}; copy skipped");
        }

        var location = $"{device.Name} metadata area {index} (offset 0x{area.Offset:x}), text at 0x{area.Offset + (long)textOffset:x}";
        return new Result(new MetadataCopy(location, text, textCrc), null);
    }
}
