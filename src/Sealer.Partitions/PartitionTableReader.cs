using Sealer.Core.IO;
using Sealer.Partitions.Gpt;
using Sealer.Partitions.Mbr;

namespace Sealer.Partitions;

/// <summary>
/// Finds the partition table of a disk: GPT when the MBR has a protective (0xEE) entry (hybrid MBRs included),
/// otherwise MBR, otherwise none. Assumes 512-byte logical sectors; 4Kn disks are not supported.
/// </summary>
public static class PartitionTableReader
{
    /// <summary>Reads the table. Malformed tables throw <see cref="Core.Errors.InvalidImageException"/>;
    /// recoverable defects (a damaged primary GPT, a looping EBR chain) are reported in <see cref="PartitionTable.Warnings"/>.</summary>
    public static PartitionTable Read(IBlockDevice disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        if (disk.Length < DiskSectors.Size)
        {
            return Empty();
        }

        var mbr = DiskSectors.Read(disk, 0);
        if (!MbrEntry.HasBootSignature(mbr))
        {
            return Empty();
        }

        var entries = Enumerable.Range(0, 4).Select(i => MbrEntry.Parse(mbr, i)).ToArray();

        // A boot flag other than 0x00/0x80 means this 0x55AA sector is a file system's boot sector (FAT, NTFS), not an MBR;
        // libblkid applies the same test.
        if (entries.Any(e => e.BootFlag is not (0x00 or 0x80)))
        {
            return Empty();
        }

        return entries.Any(e => e.Type == MbrEntry.GptProtectiveType)
            ? GptTableReader.Read(disk)
            : MbrTableReader.Read(disk, mbr);
    }

    private static PartitionTable Empty() => new(PartitionScheme.None, null, null, [], []);
}
