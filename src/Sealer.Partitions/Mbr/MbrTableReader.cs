using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Partitions.Mbr;

/// <summary>Reads the four primary entries and the EBR chains of extended partitions, numbering them as Linux does.</summary>
internal static class MbrTableReader
{
    /// <summary>Linux allows at most 256 partitions per disk; a longer chain is corrupt or hostile.</summary>
    private const int MaxLogicalPartitions = 251;

    /// <summary>Offset of the 32-bit disk signature in the MBR.</summary>
    private const int DiskSignatureOffset = 0x1B8;

    public static PartitionTable Read(IBlockDevice disk, ReadOnlySpan<byte> mbr)
    {
        var diskSectors = DiskSectors.Count(disk);
        var signature = BinaryPrimitives.ReadUInt32LittleEndian(mbr[DiskSignatureOffset..]);
        var partitions = new List<Partition>();
        var warnings = new List<string>();
        var extended = new List<(long Start, long Count)>();

        for (var i = 0; i < 4; i++)
        {
            var entry = MbrEntry.Parse(mbr, i);
            if (!entry.IsUsed)
            {
                continue;
            }

            var number = i + 1;
            if (entry.StartLba == 0 || !DiskSectors.Fits(entry.StartLba, entry.SectorCount, diskSectors))
            {
                throw new InvalidImageException(
                    $"mbr: partition {number} (start LBA 0x{entry.StartLba:x}, 0x{entry.SectorCount:x} sectors) " +
                    $"is outside the disk of 0x{diskSectors:x} sectors (entry at 0x{MbrEntry.TableOffset + (i * MbrEntry.Size):x})");
            }

            partitions.Add(Make(number, entry.StartLba, entry.SectorCount, entry.Type, signature, entry.IsExtended));
            if (entry.IsExtended)
            {
                extended.Add((entry.StartLba, entry.SectorCount));
            }
        }

        var nextLogical = 5;
        foreach (var (start, count) in extended)
        {
            nextLogical = ReadLogicals(disk, start, count, signature, nextLogical, partitions, warnings);
        }

        return new PartitionTable(PartitionScheme.Mbr, null, signature, partitions, warnings);
    }

    /// <summary>Walks one EBR chain. Logical starts are relative to their EBR; links are relative to the extended start.</summary>
    private static int ReadLogicals(
        IBlockDevice disk, long extendedStart, long extendedCount, uint signature, int number, List<Partition> partitions, List<string> warnings)
    {
        var diskSectors = DiskSectors.Count(disk);
        var visited = new HashSet<long>();
        var ebrLba = extendedStart;
        while (true)
        {
            if (!visited.Add(ebrLba))
            {
                warnings.Add($"mbr: EBR chain loops back to LBA 0x{ebrLba:x}; the chain is cut there");
                return number;
            }

            if (number - 5 >= MaxLogicalPartitions)
            {
                warnings.Add($"mbr: more than {MaxLogicalPartitions} logical partitions; the chain is cut at LBA 0x{ebrLba:x}");
                return number;
            }

            var ebr = DiskSectors.Read(disk, ebrLba);
            if (!MbrEntry.HasBootSignature(ebr))
            {
                warnings.Add($"mbr: EBR at LBA 0x{ebrLba:x} has no 0x55AA signature; the chain ends there");
                return number;
            }

            var logical = MbrEntry.Parse(ebr, 0);
            if (logical.IsUsed && !logical.IsExtended)
            {
                var start = (ulong)ebrLba + logical.StartLba;
                if (!DiskSectors.Fits(start, logical.SectorCount, diskSectors))
                {
                    throw new InvalidImageException(
                        $"mbr: logical partition {number} (start LBA 0x{start:x}, 0x{logical.SectorCount:x} sectors) " +
                        $"is outside the disk of 0x{diskSectors:x} sectors (EBR at LBA 0x{ebrLba:x})");
                }

                partitions.Add(Make(number, (long)start, logical.SectorCount, logical.Type, signature, isExtended: false));
                number++;
            }

            var link = MbrEntry.Parse(ebr, 1);
            if (!link.IsExtended || link.StartLba == 0)
            {
                return number;
            }

            if (link.StartLba >= extendedCount)
            {
                throw new InvalidImageException(
                    $"mbr: EBR link to relative LBA 0x{link.StartLba:x} leaves the extended partition of 0x{extendedCount:x} sectors " +
                    $"(EBR at LBA 0x{ebrLba:x})");
            }

            ebrLba = extendedStart + link.StartLba;
        }
    }

    private static Partition Make(int number, long startLba, long sectorCount, byte type, uint signature, bool isExtended) =>
        new(
            Number: number,
            Offset: startLba * DiskSectors.Size,
            Length: sectorCount * DiskSectors.Size,
            MbrType: type,
            TypeGuid: null,
            UniqueGuid: null,
            Name: null,
            PartUuid: $"{signature:x8}-{number:x2}",
            IsExtendedContainer: isExtended);
}
