using System.Buffers.Binary;
using System.IO.Hashing;
using Sealer.Core.Errors;

namespace Sealer.Partitions.Gpt;

/// <summary>A GPT header (UEFI spec, "GUID Partition Table Header"), little-endian, validated on parse.</summary>
internal readonly record struct GptHeader(
    long MyLba,
    long AlternateLba,
    long FirstUsableLba,
    long LastUsableLba,
    Guid DiskGuid,
    long EntriesLba,
    int EntryCount,
    int EntrySize,
    uint EntriesCrc32)
{
    public const int MinSize = 92;

    /// <summary>Bounds the entry array we are willing to load (the usual array is 128 x 128 = 16 KiB).</summary>
    public const int MaxEntryArrayBytes = 1 << 20;

    public const int MaxEntrySize = 4096;

    public static ReadOnlySpan<byte> Signature => "EFI PART"u8;

    public long EntryArrayBytes => (long)EntryCount * EntrySize;

    /// <summary>Parses and checks the header read from <paramref name="lba"/>; throws InvalidImageException naming the defect.</summary>
    public static GptHeader Parse(ReadOnlySpan<byte> sector, long lba, long diskSectors)
    {
        var where = $"GPT header at LBA 0x{lba:x}";
        if (!sector.StartsWith(Signature))
        {
            throw new InvalidImageException($"gpt: no 'EFI PART' signature ({where})");
        }

        var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(sector[Offsets.HeaderSize..]);
        if (headerSize < MinSize || headerSize > (uint)sector.Length)
        {
            throw new InvalidImageException($"gpt: header size {headerSize} is not in {MinSize}..{sector.Length} ({where})");
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(sector[Offsets.HeaderCrc32..]);
        var copy = sector[..(int)headerSize].ToArray();
        copy.AsSpan(Offsets.HeaderCrc32, 4).Clear();
        var actualCrc = Crc32.HashToUInt32(copy);
        if (actualCrc != storedCrc)
        {
            throw new InvalidImageException($"gpt: header CRC32 0x{storedCrc:x8} does not match the computed 0x{actualCrc:x8} ({where})");
        }

        var myLba = BinaryPrimitives.ReadUInt64LittleEndian(sector[Offsets.MyLba..]);
        var alternateLba = BinaryPrimitives.ReadUInt64LittleEndian(sector[Offsets.AlternateLba..]);
        var firstUsable = BinaryPrimitives.ReadUInt64LittleEndian(sector[Offsets.FirstUsableLba..]);
        var lastUsable = BinaryPrimitives.ReadUInt64LittleEndian(sector[Offsets.LastUsableLba..]);
        var entriesLba = BinaryPrimitives.ReadUInt64LittleEndian(sector[Offsets.EntriesLba..]);
        var entryCount = BinaryPrimitives.ReadUInt32LittleEndian(sector[Offsets.EntryCount..]);
        var entrySize = BinaryPrimitives.ReadUInt32LittleEndian(sector[Offsets.EntrySize..]);

        if (myLba != (ulong)lba)
        {
            throw new InvalidImageException($"gpt: MyLBA 0x{myLba:x} does not name the sector it was read from ({where})");
        }

        if (firstUsable < 2 || lastUsable >= (ulong)diskSectors || firstUsable > lastUsable + 1)
        {
            throw new InvalidImageException(
                $"gpt: usable LBA range 0x{firstUsable:x}..0x{lastUsable:x} does not fit the disk of 0x{diskSectors:x} sectors ({where})");
        }

        // The UEFI spec requires 128 x 2^n; anything else is corruption, and size 0 would divide the array into nothing.
        if (entrySize < 128 || entrySize > MaxEntrySize || (entrySize & (entrySize - 1)) != 0)
        {
            throw new InvalidImageException($"gpt: partition entry size {entrySize} is not 128 x 2^n (at most {MaxEntrySize}) ({where})");
        }

        if ((ulong)entryCount * entrySize > MaxEntryArrayBytes)
        {
            throw new InvalidImageException(
                $"gpt: {entryCount} entries of {entrySize} bytes exceed the {MaxEntryArrayBytes}-byte limit of the entry array ({where})");
        }

        var arraySectors = (((ulong)entryCount * entrySize) + DiskSectors.Size - 1) / DiskSectors.Size;
        if (!DiskSectors.Fits(entriesLba, arraySectors, diskSectors) || entriesLba == (ulong)lba)
        {
            throw new InvalidImageException(
                $"gpt: entry array at LBA 0x{entriesLba:x} ({arraySectors} sectors) is outside the disk or overlaps the header ({where})");
        }

        return new GptHeader(
            MyLba: lba,
            AlternateLba: alternateLba > long.MaxValue ? -1 : (long)alternateLba,
            FirstUsableLba: (long)firstUsable,
            LastUsableLba: (long)lastUsable,
            DiskGuid: new Guid(sector.Slice(Offsets.DiskGuid, 16)),
            EntriesLba: (long)entriesLba,
            EntryCount: (int)entryCount,
            EntrySize: (int)entrySize,
            EntriesCrc32: BinaryPrimitives.ReadUInt32LittleEndian(sector[Offsets.EntriesCrc32..]));
    }

    private static class Offsets
    {
        public const int HeaderSize = 0x0C;
        public const int HeaderCrc32 = 0x10;
        public const int MyLba = 0x18;
        public const int AlternateLba = 0x20;
        public const int FirstUsableLba = 0x28;
        public const int LastUsableLba = 0x30;
        public const int DiskGuid = 0x38;
        public const int EntriesLba = 0x48;
        public const int EntryCount = 0x50;
        public const int EntrySize = 0x54;
        public const int EntriesCrc32 = 0x58;
    }
}
