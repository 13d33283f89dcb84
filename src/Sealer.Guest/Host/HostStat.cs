using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

/// <summary>
/// lstat of a host inode plus what the guest view does not need: the device and mount it lives on (for
/// --one-file-system behaviour) and the nanoseconds of mtime and ctime (to tell whether it changed since it was read).
/// </summary>
/// <param name="MountId">STATX_MNT_ID, or null on kernels older than 5.8 (then only <paramref name="Device"/> is compared).</param>
internal readonly record struct HostStat(FileStatus Status, ulong Device, ulong? MountId, uint ModifiedNanoseconds, uint ChangeNanoseconds)
{
    /// <summary>Same file system and mount as <paramref name="other"/>.</summary>
    public bool SameMount(HostStat other) =>
        Device == other.Device && (MountId is null || other.MountId is null || MountId == other.MountId);

    /// <summary>The same inode, unchanged: kind, inode number, size and mtime (seconds and nanoseconds).</summary>
    public bool SameContent(HostStat other) =>
        Device == other.Device && Status.Kind == other.Status.Kind && Status.Inode == other.Status.Inode
        && Status.Size == other.Status.Size && Status.ModifiedTime == other.Status.ModifiedTime
        && ModifiedNanoseconds == other.ModifiedNanoseconds;
}
