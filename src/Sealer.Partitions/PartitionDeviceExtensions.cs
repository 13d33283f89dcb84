using Sealer.Core.IO;

namespace Sealer.Partitions;

/// <summary>Opens a partition of a disk as its own device.</summary>
public static class PartitionDeviceExtensions
{
    /// <summary>A window of <paramref name="disk"/> covering <paramref name="partition"/>. The window does not own the disk.</summary>
    public static IBlockDevice OpenPartition(this IBlockDevice disk, Partition partition)
    {
        ArgumentNullException.ThrowIfNull(disk);
        ArgumentNullException.ThrowIfNull(partition);
        return new SubBlockDevice(disk, partition.Offset, partition.Length);
    }
}
