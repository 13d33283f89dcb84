using System.Buffers.Binary;
using System.IO.Hashing;

namespace Sealer.Partitions.Tests;

/// <summary>Recomputes GPT CRCs after a test edits a header or entries, so the edit reaches the validation behind the CRCs.</summary>
internal static class GptRepair
{
    public static void FixCrcs(byte[] disk, long headerLba)
    {
        var header = disk.AsSpan((int)(headerLba * 512), 512);
        var entriesLba = BinaryPrimitives.ReadInt64LittleEndian(header[0x48..]);
        var count = BinaryPrimitives.ReadUInt32LittleEndian(header[0x50..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(header[0x54..]);
        var arrayBytes = (long)count * size;
        if (entriesLba > 0 && arrayBytes <= 1 << 20 && (entriesLba * 512) + arrayBytes <= disk.Length)
        {
            var crc = Crc32.HashToUInt32(disk.AsSpan((int)(entriesLba * 512), (int)arrayBytes));
            BinaryPrimitives.WriteUInt32LittleEndian(header[0x58..], crc);
        }

        var headerSize = (int)Math.Clamp(BinaryPrimitives.ReadUInt32LittleEndian(header[0x0C..]), 0u, 512u);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x10..], Crc32.HashToUInt32(header[..headerSize]));
    }

    /// <summary>Applies <paramref name="edit"/> to both headers and fixes both CRCs.</summary>
    public static void EditBothHeaders(byte[] disk, Action<Span<byte>> edit)
    {
        var last = (disk.Length / 512) - 1;
        foreach (var lba in new long[] { 1, last })
        {
            edit(disk.AsSpan((int)(lba * 512), 512));
            FixCrcs(disk, lba);
        }
    }
}
