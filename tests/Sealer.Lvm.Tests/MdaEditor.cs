using System.Buffers.Binary;
using System.Text;
using Sealer.Images.Host;
using Sealer.Images.Raw;

namespace Sealer.Lvm.Tests;

/// <summary>Reads and rewrites the metadata text of one metadata area in an image file, keeping or breaking its checksums on purpose.</summary>
internal static class MdaEditor
{
    public static IReadOnlyList<DiskArea> Areas(string image)
    {
        using var raw = new RawImage(FileHostFile.Open(image, writable: false), writable: false);
        return PhysicalVolumeLabel.TryRead(new LvmDevice(image, raw))!.MetadataAreas;
    }

    /// <summary>The raw_locn of the area: (offset from area start, size, checksum).</summary>
    public static (long Offset, long Size, uint Checksum) Locn(string image, DiskArea area)
    {
        var header = ReadBytes(image, area.Offset, 512);
        return ((long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(40)), (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(48)),
            BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(56)));
    }

    /// <summary>The current metadata text (without its NUL), read without wrap-around (tests keep it unwrapped).</summary>
    public static string Text(string image, DiskArea area)
    {
        var (offset, size, _) = Locn(image, area);
        var bytes = ReadBytes(image, area.Offset + offset, (int)size);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    /// <summary>Writes <paramref name="text"/> right after the header and points raw_locn at it with correct checksums.</summary>
    public static void Write(string image, DiskArea area, string text, bool fixTextChecksum = true, int? sizeOverride = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        var size = sizeOverride ?? bytes.Length;
        WriteBytes(image, area.Offset + 512, bytes);
        var header = ReadBytes(image, area.Offset, 512);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), 512);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), (ulong)size);
        var crc = LvmCrc.Compute(bytes.AsSpan(0, size));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(56), fixTextChecksum ? crc : ~crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header, LvmCrc.Compute(header.AsSpan(4)));
        WriteBytes(image, area.Offset, header);
    }

    /// <summary>Rewrites the text through <paramref name="edit"/> in every metadata area of the image.</summary>
    public static void Edit(string image, Func<string, string> edit)
    {
        foreach (var area in Areas(image))
        {
            Write(image, area, edit(Text(image, area)));
        }
    }

    public static byte[] ReadBytes(string image, long offset, int count)
    {
        using var f = File.OpenRead(image);
        var buffer = new byte[count];
        f.Position = offset;
        f.ReadExactly(buffer);
        return buffer;
    }

    public static void WriteBytes(string image, long offset, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(image, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(bytes);
    }

    public static void FlipByte(string image, long offset) =>
        WriteBytes(image, offset, [(byte)(ReadBytes(image, offset, 1)[0] ^ 0x5a)]);
}
