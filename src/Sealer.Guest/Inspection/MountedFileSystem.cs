using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>What the assembler mounted where.</summary>
/// <param name="MountPoint">Guest path ("/" for the root).</param>
/// <param name="DeviceName">The candidate's device name.</param>
/// <param name="Identity">The candidate's identity.</param>
/// <param name="FstabSpec">The fstab device field that selected it (null for the root chosen by inspection).</param>
/// <param name="NoAuto">fstab says noauto: the guest would not mount it at boot, but it is mounted here anyway
/// because a template must be cleaned there too.</param>
public sealed record MountedFileSystem(string MountPoint, string DeviceName, FileSystemIdentity Identity, string? FstabSpec, bool NoAuto);
