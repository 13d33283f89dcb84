using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>
/// A file system found on the image, offered to <see cref="GuestAssembler"/>.
/// </summary>
/// <param name="DeviceName">The name Linux would give it: "/dev/sda1" (disk sda, partition 1), "/dev/sda" for a
/// whole-disk file system, "/dev/sdb2" for a second image; "rootfs" for --dir.</param>
/// <param name="PartitionNumber">1-based partition number, null for a whole disk.</param>
/// <param name="PartUuid">GPT partition GUID (lower case) or MBR "xxxxxxxx-NN" form, as fstab's PARTUUID= names it.</param>
/// <param name="PartLabel">GPT partition name, as fstab's PARTLABEL= names it.</param>
/// <param name="Identity">File-system type, UUID and label (from its superblock).</param>
/// <param name="Open">Opens the file system; called at most once, and the assembler owns (disposes) the result.</param>
public sealed record CandidateFileSystem(
    string DeviceName,
    int? PartitionNumber,
    string? PartUuid,
    string? PartLabel,
    FileSystemIdentity Identity,
    Func<IFileSystem> Open)
{
    /// <summary>Set when the device holds something Sealer does not open ("xfs", "LVM2 physical volume (volume group
    /// rhel)", or "no file system Sealer recognises"): named in errors, never opened as a root or mount.</summary>
    public string? Unsupported { get; init; }

    /// <summary>The name Linux gives disk <paramref name="diskIndex"/> (0 = sda, 25 = sdz, 26 = sdaa) and
    /// partition <paramref name="partitionNumber"/> (null = the whole disk): "/dev/sda1", "/dev/sdb".</summary>
    public static string LinuxDeviceName(int diskIndex, int? partitionNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(diskIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(diskIndex, (26 * 27) - 1);
        var letters = diskIndex < 26
            ? ((char)('a' + diskIndex)).ToString()
            : $"{(char)('a' + (diskIndex / 26) - 1)}{(char)('a' + (diskIndex % 26))}";
        return partitionNumber is { } number ? $"/dev/sd{letters}{number}" : $"/dev/sd{letters}";
    }
}
