using System.Runtime.ExceptionServices;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>
/// Puts a guest together the way its boot would: find the root file system (the one with os-release), then
/// mount the others where the guest's own /etc/fstab says. Only local ext2/3/4 file systems are mounted;
/// swap, pseudo and network file systems and bind mounts are skipped; other local types are skipped with a
/// warning. Entries marked noauto are mounted too, because a template must be cleaned there as well.
/// </summary>
public static class GuestAssembler
{
    private static readonly HashSet<string> MountableTypes = ["ext2", "ext3", "ext4", "auto"];

    private static readonly HashSet<string> CandidateTypes = ["ext2", "ext3", "ext4", "hostdir"];

    /// <summary>Types that are never local disk data: skipped without a warning.</summary>
    private static readonly HashSet<string> SilentlySkippedTypes =
    [
        "swap", "none", "tmpfs", "proc", "sysfs", "devpts", "devtmpfs", "cgroup", "cgroup2", "securityfs", "debugfs",
        "efivarfs", "hugetlbfs", "mqueue", "binfmt_misc", "configfs", "fusectl", "pstore", "tracefs", "bpf", "autofs",
        "nfs", "nfs4", "cifs", "smbfs", "smb3", "9p", "virtiofs", "sshfs", "fuse", "glusterfs", "ceph", "overlay",
    ];

    /// <param name="candidates">Every file system found on the image(s).</param>
    /// <param name="rootDevice">Choose the root explicitly: a candidate's device name ("/dev/sda2") or an fstab-style
    /// name (UUID=..., LABEL=...). Required when two candidates look like roots.</param>
    /// <exception cref="GuestAssemblyException">No root, two roots, or <paramref name="rootDevice"/> not found.</exception>
    public static AssembledGuest Assemble(IReadOnlyList<CandidateFileSystem> candidates, string? rootDevice = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var warnings = new List<string>();
        var openers = new CandidateOpeners(warnings);
        GuestRoot? guest = null;
        try
        {
            var root = ChooseRoot(candidates, rootDevice, openers);
            guest = new GuestRoot(openers.Take(root));
            var mounts = new List<MountedFileSystem> { new("/", root.DeviceName, root.Identity, null, NoAuto: false) };
            var fstab = GuestFiles.ReadSmallText(guest, "/etc/fstab");
            if (fstab is not null)
            {
                MountFromFstab(guest, root, candidates, FstabParser.Parse(fstab, warnings), openers, mounts, warnings);
            }

            openers.DisposeUnused();
            var info = GuestInspector.Inspect(guest);
            return new AssembledGuest(guest, info, mounts, warnings);
        }
        catch
        {
            guest?.Dispose();
            openers.DisposeUnused();
            throw;
        }
    }

    /// <summary>
    /// For <c>sealer seal --dir ROOTFS</c>: the host directory is the guest's root (candidate "rootfs", type
    /// "hostdir"). fstab entries naming other devices cannot be found and come back as warnings.
    /// </summary>
    public static AssembledGuest AssembleHostDirectory(string hostDirectory, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(hostDirectory);
        var identity = new FileSystemIdentity("hostdir", null, null);
        return Assemble(
            [new CandidateFileSystem("rootfs", null, null, null, identity, () => new Host.HostDirectoryFileSystem(hostDirectory, identity, readOnly))],
            rootDevice: "rootfs");
    }

    /// <summary>
    /// For <c>--dir ROOTFS</c> as the CLI runs it: the tree opened read-only under a <see cref="Host.HostDirectoryOverlay"/>,
    /// so every change stays in memory until <see cref="Host.HostDirectoryOverlay.Apply"/> (the guest root's
    /// <see cref="GuestRoot.RootFileSystem"/>). Mount points inside the tree are not crossed unless <paramref name="crossMounts"/>.
    /// </summary>
    public static AssembledGuest AssembleHostDirectoryOverlay(string hostDirectory, bool crossMounts)
    {
        ArgumentNullException.ThrowIfNull(hostDirectory);
        var identity = new FileSystemIdentity("hostdir", null, null);
        return Assemble(
            [new CandidateFileSystem("rootfs", null, null, null, identity, () => new Host.HostDirectoryOverlay(new Host.HostDirectoryFileSystem(hostDirectory, identity, readOnly: true, crossMounts)))],
            rootDevice: "rootfs");
    }

    private static CandidateFileSystem ChooseRoot(IReadOnlyList<CandidateFileSystem> candidates, string? rootDevice, CandidateOpeners openers)
    {
        if (rootDevice is not null)
        {
            var chosen = candidates.FirstOrDefault(c => c.DeviceName == rootDevice)
                ?? FstabDeviceMatcher.Find(rootDevice, candidates, out _)
                ?? throw new GuestAssemblyException($"guest: root {rootDevice} is not one of the file systems found ({Describe(candidates)})");
            if (openers.Open(chosen, propagate: true) is null)
            {
                throw new GuestAssemblyException($"guest: cannot open root {rootDevice}");
            }

            return chosen;
        }

        var roots = new List<CandidateFileSystem>();
        foreach (var candidate in candidates.Where(c => CandidateTypes.Contains(c.Identity.Type)))
        {
            if (openers.Open(candidate, propagate: false) is { } fileSystem && LooksLikeRoot(fileSystem))
            {
                roots.Add(candidate);
            }
        }

        if (roots.Count == 0 && openers.FailureExceptions.Count > 0)
        {
            // Most likely the root itself could not be opened: its own error (corrupt vs unsupported) says more
            // than "no operating system found".
            ExceptionDispatchInfo.Capture(openers.FailureExceptions[0]).Throw();
        }

        return roots.Count switch
        {
            0 => throw new GuestAssemblyException(
                $"guest: no operating system found: no ext2/ext3/ext4 file system has /etc/os-release or /usr/lib/os-release"
                + string.Concat(candidates.Where(c => c.Unsupported is not null && c.Identity.Type != UnknownType).Select(c => $"; {Where(c)}: {c.Unsupported}: not supported"))
                + $" (looked at: {Describe(candidates)})"
                + (openers.Failures.Count > 0 ? "; " + string.Join("; ", openers.Failures) : string.Empty)),
            1 => roots[0],
            _ => throw new GuestAssemblyException(
                $"guest: more than one operating system root: {string.Join(" and ", roots.Select(r => r.DeviceName))}; choose the root explicitly"),
        };
    }

    private static bool LooksLikeRoot(IFileSystem fileSystem)
    {
        try
        {
            // lstat only: /etc/os-release may link into a /usr that lives on another file system.
            var hasOsRelease = fileSystem.TryStat("/etc/os-release") is not null || fileSystem.TryStat("/usr/lib/os-release") is not null;
            var looksLikeTree = fileSystem.TryStat("/etc/fstab") is not null || fileSystem.TryStat("/bin") is not null || fileSystem.TryStat("/usr") is not null;
            return hasOsRelease && looksLikeTree;
        }
        catch (GuestFileSystemException)
        {
            return false;
        }
    }

    private static void MountFromFstab(
        GuestRoot guest,
        CandidateFileSystem root,
        IReadOnlyList<CandidateFileSystem> candidates,
        List<FstabEntry> entries,
        CandidateOpeners openers,
        List<MountedFileSystem> mounts,
        List<string> warnings)
    {
        var planned = new List<(FstabEntry Entry, string MountPoint, CandidateFileSystem Candidate)>();
        foreach (var entry in entries)
        {
            var type = entry.Type.ToLowerInvariant();
            if (SilentlySkippedTypes.Contains(type) || type.StartsWith("fuse.", StringComparison.Ordinal) || entry.IsBind)
            {
                continue;
            }

            var where = $"fstab line {entry.LineNumber} ({entry.Spec} {entry.MountPoint})";
            if (!entry.MountPoint.StartsWith('/'))
            {
                warnings.Add($"{where}: not mounted: mount point is not an absolute path");
                continue;
            }

            var mountPoint = PosixPath.Normalize(entry.MountPoint);
            var candidate = FstabDeviceMatcher.Find(entry.Spec, candidates, out var unsupported);
            if (mountPoint == "/")
            {
                if (candidate is not null && !ReferenceEquals(candidate, root))
                {
                    warnings.Add($"{where}: fstab names {candidate.DeviceName} as root, but {root.DeviceName} was used");
                }

                continue;
            }

            if (!MountableTypes.Contains(type))
            {
                warnings.Add($"{where}: not mounted: {entry.Type} is not supported (only ext2/ext3/ext4), so it will not be cleaned");
                continue;
            }

            if (candidate is null)
            {
                warnings.Add($"{where}: not mounted: {unsupported ?? "device not found on the image"}");
                continue;
            }

            if (!CandidateTypes.Contains(candidate.Identity.Type))
            {
                warnings.Add($"{where}: not mounted: {candidate.DeviceName} is {candidate.Identity.Type}, not ext2/ext3/ext4");
                continue;
            }

            if (ReferenceEquals(candidate, root) || planned.Any(p => ReferenceEquals(p.Candidate, candidate)))
            {
                warnings.Add($"{where}: not mounted: {candidate.DeviceName} is already mounted");
                continue;
            }

            if (planned.Any(p => p.MountPoint == mountPoint))
            {
                warnings.Add($"{where}: not mounted: {mountPoint} is already a mount point");
                continue;
            }

            planned.Add((entry, mountPoint, candidate));
        }

        // Parents before children (/var before /var/log); OrderBy is stable, so fstab order breaks ties.
        foreach (var (entry, mountPoint, candidate) in planned.OrderBy(p => PosixPath.Split(p.MountPoint).Length))
        {
            var where = $"fstab line {entry.LineNumber} ({entry.Spec} {entry.MountPoint})";
            if (GuestFiles.StatFollow(guest, mountPoint)?.Kind != FileKind.Directory)
            {
                warnings.Add($"{where}: not mounted: {mountPoint} is not a directory in the guest");
                continue;
            }

            var fileSystem = openers.Open(candidate, propagate: false);
            if (fileSystem is null)
            {
                continue;
            }

            try
            {
                var resolved = guest.Mount(mountPoint, openers.Take(candidate));
                mounts.Add(new MountedFileSystem(resolved, candidate.DeviceName, candidate.Identity, entry.Spec, entry.NoAuto));
            }
            catch (GuestFileSystemException e)
            {
                fileSystem.Dispose();
                warnings.Add($"{where}: not mounted: {e.Message}");
            }
        }
    }

    /// <summary>The type a candidate has when no signature at all was recognised on it.</summary>
    public const string UnknownType = "unknown";

    private static string Where(CandidateFileSystem candidate) =>
        candidate.PartitionNumber is int number ? $"partition {number}" : $"{candidate.DeviceName} (whole disk)";

    private static string Describe(IReadOnlyList<CandidateFileSystem> candidates) =>
        candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => $"{c.DeviceName} {c.Identity.Type}"));
}
