using Sealer.Core.IO;

namespace Sealer.Partitions;

/// <summary>Sector arithmetic shared by the MBR and GPT readers. Only 512-byte logical sectors are supported.</summary>
internal static class DiskSectors
{
    public const int Size = 512;

    public static long Count(IBlockDevice disk) => disk.Length / Size;

    /// <summary>Reads one sector; the device throws InvalidImageException when it lies past the end.</summary>
    public static byte[] Read(IBlockDevice disk, long lba)
    {
        var sector = new byte[Size];
        disk.Read(checked(lba * Size), sector);
        return sector;
    }

    /// <summary>True when [start, start + count) lies inside the disk (the values come from disk, so no overflow is trusted).</summary>
    public static bool Fits(ulong start, ulong count, long diskSectors) =>
        start < (ulong)diskSectors && count <= (ulong)diskSectors - start;
}
