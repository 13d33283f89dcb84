using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Partitions.Gpt;

/// <summary>Reads a GPT: the primary header and array at LBA 1, or the backup at the last LBA when the primary is damaged.</summary>
internal static class GptTableReader
{
    /// <summary>Entry layout (UEFI "GPT Partition Entry"): type GUID, unique GUID, first/last LBA (inclusive), attributes, name.</summary>
    private const int UniqueGuidOffset = 16;
    private const int FirstLbaOffset = 32;
    private const int LastLbaOffset = 40;
    private const int NameOffset = 56;
    private const int NameBytes = 72;

    public static PartitionTable Read(IBlockDevice disk)
    {
        var diskSectors = DiskSectors.Count(disk);
        var warnings = new List<string>();
        GptHeader header;
        byte[] entries;
        try
        {
            (header, entries) = Load(disk, 1, diskSectors);
            if (header.AlternateLba != diskSectors - 1)
            {
                warnings.Add(
                    $"gpt: the backup header is expected at LBA 0x{header.AlternateLba:x} but the disk ends at LBA 0x{diskSectors - 1:x} " +
                    "(image resized? 'sgdisk -e' moves it)");
            }
            else
            {
                CheckBackup(disk, diskSectors, warnings);
            }
        }
        catch (InvalidImageException primaryError)
        {
            try
            {
                (header, entries) = Load(disk, diskSectors - 1, diskSectors);
            }
            catch (InvalidImageException backupError)
            {
                throw new InvalidImageException(
                    $"gpt: both headers are unusable: primary: {primaryError.Message}; backup: {backupError.Message}", backupError);
            }

            warnings.Add($"gpt: primary table unusable ({primaryError.Message}); using the backup at LBA 0x{diskSectors - 1:x}");
        }

        var partitions = ParseEntries(header, entries, diskSectors, warnings);
        return new PartitionTable(PartitionScheme.Gpt, header.DiskGuid, null, partitions, warnings);
    }

    /// <summary>Only reported: Linux reads the primary, but a damaged backup means the next primary damage is fatal.</summary>
    private static void CheckBackup(IBlockDevice disk, long diskSectors, List<string> warnings)
    {
        try
        {
            Load(disk, diskSectors - 1, diskSectors);
        }
        catch (InvalidImageException e)
        {
            warnings.Add($"gpt: the backup table is unusable ({e.Message})");
        }
    }

    private static (GptHeader Header, byte[] Entries) Load(IBlockDevice disk, long lba, long diskSectors)
    {
        if (lba < 1 || lba >= diskSectors)
        {
            throw new InvalidImageException($"gpt: LBA 0x{lba:x} is outside the disk of 0x{diskSectors:x} sectors");
        }

        var header = GptHeader.Parse(DiskSectors.Read(disk, lba), lba, diskSectors);
        var entries = new byte[header.EntryArrayBytes];
        disk.Read(header.EntriesLba * DiskSectors.Size, entries);
        var crc = Crc32.HashToUInt32(entries);
        if (crc != header.EntriesCrc32)
        {
            throw new InvalidImageException(
                $"gpt: entry array CRC32 0x{header.EntriesCrc32:x8} does not match the computed 0x{crc:x8} " +
                $"(array at LBA 0x{header.EntriesLba:x}, header at LBA 0x{lba:x})");
        }

        return (header, entries);
    }

    private static List<Partition> ParseEntries(GptHeader header, byte[] entries, long diskSectors, List<string> warnings)
    {
        var partitions = new List<Partition>();
        for (var index = 0; index < header.EntryCount; index++)
        {
            var entry = entries.AsSpan(index * header.EntrySize, header.EntrySize);
            var type = new Guid(entry[..16]);
            if (type == Guid.Empty)
            {
                continue;
            }

            var number = index + 1;
            var first = BinaryPrimitives.ReadUInt64LittleEndian(entry[FirstLbaOffset..]);
            var last = BinaryPrimitives.ReadUInt64LittleEndian(entry[LastLbaOffset..]);
            if (last < first || last >= (ulong)diskSectors)
            {
                throw new InvalidImageException(
                    $"gpt: partition {number} spans LBA 0x{first:x}..0x{last:x}, which is empty or outside the disk of 0x{diskSectors:x} sectors " +
                    $"(entry at byte 0x{(header.EntriesLba * DiskSectors.Size) + ((long)index * header.EntrySize):x})");
            }

            // Like the kernel (efi.c is_pte_valid), an entry outside the usable range would overlap the GPT itself: skip it.
            if (first < (ulong)header.FirstUsableLba || last > (ulong)header.LastUsableLba)
            {
                warnings.Add($"gpt: partition {number} (LBA 0x{first:x}..0x{last:x}) lies outside the usable range of the header; ignored");
                continue;
            }

            var unique = new Guid(entry.Slice(UniqueGuidOffset, 16));
            partitions.Add(new Partition(
                Number: number,
                Offset: (long)first * DiskSectors.Size,
                Length: (long)(last - first + 1) * DiskSectors.Size,
                MbrType: null,
                TypeGuid: type,
                UniqueGuid: unique,
                Name: DecodeName(entry.Slice(NameOffset, NameBytes)),
                PartUuid: unique.ToString("D"),
                IsExtendedContainer: false));
        }

        return partitions;
    }

    /// <summary>36 UTF-16LE code units, NUL-terminated when shorter. Invalid surrogates decode to U+FFFD.</summary>
    private static string DecodeName(ReadOnlySpan<byte> raw)
    {
        var units = raw.Length / 2;
        for (var i = 0; i < units; i++)
        {
            if (raw[2 * i] == 0 && raw[(2 * i) + 1] == 0)
            {
                units = i;
                break;
            }
        }

        return Encoding.Unicode.GetString(raw[..(units * 2)]);
    }
}
