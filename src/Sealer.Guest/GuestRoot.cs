using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest;

/// <summary>
/// The guest's whole tree: a root file system plus file systems mounted at guest directories, resolved like a
/// chroot. Intermediate symlinks are followed inside the guest (absolute targets restart at the guest's '/',
/// '..' stops at '/'), across mount points both ways, at most 40 hops. The last component is not followed by
/// <see cref="TryStat"/>, <see cref="ReadLink"/> and every mutation; it is followed by <see cref="OpenRead"/>,
/// <see cref="ReadDirectory"/> and <see cref="TryStatFollow"/>. The host is never touched.
/// Owns the mounted file systems (disposes them) unless built with <see cref="Borrow"/>.
/// </summary>
public sealed partial class GuestRoot : IFileSystem
{
    /// <summary>Linux's MAXSYMLINKS.</summary>
    public const int MaxSymlinkHops = 40;

    private readonly List<(string MountPoint, IFileSystem FileSystem)> mounts = [];
    private readonly bool ownsFileSystems;

    /// <summary>A guest whose '/' is <paramref name="root"/>; the guest owns it from now on.</summary>
    public GuestRoot(IFileSystem root)
        : this(root, ownsFileSystems: true)
    {
    }

    private GuestRoot(IFileSystem root, bool ownsFileSystems)
    {
        ArgumentNullException.ThrowIfNull(root);
        mounts.Add(("/", root));
        this.ownsFileSystems = ownsFileSystems;
    }

    /// <summary>A view that resolves paths over <paramref name="root"/> but never disposes it.</summary>
    public static GuestRoot Borrow(IFileSystem root) => new(root, ownsFileSystems: false);

    public string TypeName => "guest";

    public FileSystemIdentity Identity => RootFileSystem.Identity;

    public bool CanWrite => RootFileSystem.CanWrite;

    public IFileSystem RootFileSystem => mounts[0].FileSystem;

    /// <summary>Mount points (normalised guest paths, "/" first) and what is mounted there, in mount order.</summary>
    public IReadOnlyList<KeyValuePair<string, IFileSystem>> Mounts =>
        mounts.Select(m => KeyValuePair.Create(m.MountPoint, m.FileSystem)).ToList();

    /// <summary>
    /// Mounts <paramref name="fileSystem"/> at <paramref name="mountPoint"/>, which must exist in the guest as a
    /// directory (symlinks in it are followed, as mount(8) does). The guest owns the file system from now on.
    /// </summary>
    /// <returns>The resolved mount point.</returns>
    public string Mount(string mountPoint, IFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        var resolved = ResolvePath(mountPoint, followLast: true);
        if (resolved == "/")
        {
            throw new GuestFileSystemException(FsError.InvalidPath, mountPoint, "cannot mount over the guest root");
        }

        var status = TryStatResolved(resolved);
        if (status is null)
        {
            throw new GuestFileSystemException(FsError.NotFound, mountPoint, "mount point does not exist");
        }

        if (status.Value.Kind != FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.NotADirectory, mountPoint, "mount point is not a directory");
        }

        if (mounts.Any(m => m.MountPoint == resolved))
        {
            throw new GuestFileSystemException(FsError.AlreadyExists, mountPoint, "something is already mounted here");
        }

        mounts.Add((resolved, fileSystem));
        return resolved;
    }

    /// <summary>stat(2): like <see cref="TryStat"/> but follows a final symlink; null when the path or the link's target is missing.</summary>
    public FileStatus? TryStatFollow(string path)
    {
        string resolved;
        try
        {
            resolved = ResolvePath(path, followLast: true);
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound)
        {
            return null;
        }

        return TryStatResolved(resolved);
    }

    /// <summary>
    /// The guest path with every symlink resolved except, unless <paramref name="followLast"/>, the last
    /// component. The result is normalised and absolute, contains no symlink before its last component, and
    /// may name something that does not exist (only the last component may be missing).
    /// </summary>
    /// <exception cref="GuestFileSystemException">NotFound (a missing directory component), NotADirectory,
    /// SymlinkLoop (more than 40 links).</exception>
    public string ResolvePath(string path, bool followLast)
    {
        var pending = new Stack<string>(PosixPath.Split(path).Reverse());
        var resolved = new List<string>();

        // (device, inode) of "/" and of each resolved directory: a directory met twice on one path is a hard-link loop.
        var chain = new List<(long Device, long Inode)>();
        if (TryStatResolved("/") is { } rootStatus)
        {
            chain.Add((rootStatus.Device, rootStatus.Inode));
        }

        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                    if (chain.Count > 1)
                    {
                        chain.RemoveAt(chain.Count - 1);
                    }
                }

                continue;
            }

            resolved.Add(part);
            var isLast = pending.Count == 0;
            if (isLast && !followLast)
            {
                break;
            }

            var current = Join(resolved);
            var status = TryStatResolved(current);
            if (status is null)
            {
                if (isLast)
                {
                    break;
                }

                throw new GuestFileSystemException(FsError.NotFound, path, $"no such directory {PosixPath.Abbreviate(current)}");
            }

            if (status.Value.Kind == FileKind.Symlink)
            {
                if (++hops > MaxSymlinkHops)
                {
                    throw new GuestFileSystemException(FsError.SymlinkLoop, path, "too many levels of symbolic links");
                }

                var target = ReadLinkResolved(current);
                resolved.RemoveAt(resolved.Count - 1);
                if (target.Length == 0)
                {
                    throw new GuestFileSystemException(FsError.NotFound, path, $"empty symlink {PosixPath.Abbreviate(current)}");
                }

                if (target[0] == '/')
                {
                    // Absolute targets restart at the guest's root, never the host's.
                    resolved.Clear();
                    chain.RemoveRange(1, Math.Max(0, chain.Count - 1));
                }

                foreach (var targetPart in PosixPath.Split("/" + target).Reverse())
                {
                    pending.Push(targetPart);
                }

                continue;
            }

            if (!isLast && status.Value.Kind != FileKind.Directory)
            {
                throw new GuestFileSystemException(FsError.NotADirectory, path, $"{PosixPath.Abbreviate(current)} is not a directory");
            }

            var key = (status.Value.Device, status.Value.Inode);
            if (status.Value.Kind == FileKind.Directory && status.Value.Inode != 0 && chain.Contains(key))
            {
                throw new InvalidImageException(
                    $"guest: directory loop: {PosixPath.Abbreviate(current)} is directory inode {status.Value.Inode} again (hard-linked directory)");
            }

            chain.Add(key);
        }

        return Join(resolved);
    }

    public void Flush()
    {
        foreach (var (_, fileSystem) in mounts)
        {
            fileSystem.Flush();
        }
    }

    public void Dispose()
    {
        if (!ownsFileSystems)
        {
            return;
        }

        // Innermost first, the reverse of mount order.
        for (var i = mounts.Count - 1; i >= 0; i--)
        {
            mounts[i].FileSystem.Dispose();
        }

        mounts.Clear();
    }

    private static string Join(List<string> parts) => "/" + string.Join('/', parts);

    private FileStatus? TryStatResolved(string resolved)
    {
        var (fileSystem, inner) = Locate(resolved);
        if (fileSystem.TryStat(inner) is not { } status)
        {
            return null;
        }

        // Inode numbers repeat across mounted file systems: make Device tell the mounts apart.
        var mount = mounts.FindIndex(m => ReferenceEquals(m.FileSystem, fileSystem));
        return status with { Device = ((long)(mount + 1) << 48) ^ status.Device };
    }

    private string ReadLinkResolved(string resolved)
    {
        var (fileSystem, inner) = Locate(resolved);
        return fileSystem.ReadLink(inner);
    }

    /// <summary>The file system holding a resolved guest path (longest mount-point prefix) and the path inside it.</summary>
    private (IFileSystem FileSystem, string InnerPath) Locate(string resolved)
    {
        ObjectDisposedException.ThrowIf(mounts.Count == 0, this);
        var best = mounts[0];
        foreach (var mount in mounts)
        {
            if (mount.MountPoint.Length > best.MountPoint.Length && IsAtOrBelow(resolved, mount.MountPoint))
            {
                best = mount;
            }
        }

        var inner = best.MountPoint == "/" ? resolved : resolved[best.MountPoint.Length..];
        return (best.FileSystem, inner.Length == 0 ? "/" : inner);
    }

    private static bool IsAtOrBelow(string path, string mountPoint) =>
        path == mountPoint || (path.StartsWith(mountPoint, StringComparison.Ordinal) && path.Length > mountPoint.Length && path[mountPoint.Length] == '/');
}
