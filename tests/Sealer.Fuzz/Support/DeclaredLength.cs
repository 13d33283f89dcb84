using System.Buffers.Binary;

namespace Sealer.Fuzz.Support;

/// <summary>
/// The device length a fuzz input stands for. Inputs are images with their trailing zeros cut (small enough for
/// libFuzzer/AFL); the length comes back from the format's own size field, capped at <see cref="MaxDevice"/> so a
/// mutated size cannot make a target read gigabytes of zeros.
/// </summary>
public static class DeclaredLength
{
    public const long MaxDevice = 64L << 20;
    private const int Ext4SuperblockOffset = 1024;

    /// <summary>ext2/3/4: s_blocks_count (with the 64bit high word) times the block size.</summary>
    public static long Ext4(ReadOnlySpan<byte> input)
    {
        if (input.Length < Ext4SuperblockOffset + 0x158)
        {
            return input.Length;
        }

        var sb = input[Ext4SuperblockOffset..];
        var logBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(sb[0x18..]);
        if (logBlockSize > 6)
        {
            return input.Length;
        }

        var blocks = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(sb[0x04..]);
        if ((BinaryPrimitives.ReadUInt32LittleEndian(sb[0x60..]) & 0x80) != 0)
        {
            blocks |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(sb[0x150..]) << 32;
        }

        var blockSize = 1024UL << (int)logBlockSize;
        return Cap(blocks > (ulong)MaxDevice / blockSize ? (ulong)MaxDevice : blocks * blockSize, input.Length);
    }

    /// <summary>A disk: the GPT backup header's LBA + 1 sectors when LBA 1 holds a GPT header, else the end of the
    /// furthest MBR primary entry (logicals lie inside the extended one).</summary>
    public static long Disk(ReadOnlySpan<byte> input)
    {
        const int Lba1 = 512;
        if (input.Length >= Lba1 + 40 && input.Slice(Lba1, 8).SequenceEqual("EFI PART"u8))
        {
            var alternate = BinaryPrimitives.ReadUInt64LittleEndian(input[(Lba1 + 32)..]);
            return Cap(alternate >= (ulong)MaxDevice / 512 ? (ulong)MaxDevice : (alternate + 1) * 512, input.Length);
        }

        if (input.Length < 512)
        {
            return input.Length;
        }

        var end = 0UL;
        for (var e = 0; e < 4; e++)
        {
            var entry = input.Slice(446 + (e * 16), 16);
            end = Math.Max(end, (ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) + BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]));
        }

        return Cap(end * 512, input.Length);
    }

    private static long Cap(ulong declared, int inputLength) => Math.Max(inputLength, (long)Math.Min(declared, (ulong)MaxDevice));
}
