using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

/// <summary>
/// A directory tree on the host (an unpacked container rootfs or chroot) seen as a guest file system, for
/// <c>sealer seal --dir</c>. Guest paths are relative to the tree's top. It never follows a symlink on the host:
/// each component is opened relative to its parent's file descriptor with O_NOFOLLOW, so a link such as
/// <c>/etc -&gt; /host/etc</c> planted in the tree fails with NotADirectory instead of escaping. Mount points inside
/// the tree are not crossed unless asked (see the constructor). An existing file is never changed in place by
/// WriteFile (temp file and rename), and Truncate/Append refuse a file with more than one hard link.
/// Flush is a no-op: every change is a direct host system call. The CLI never writes through this type during a
/// run: it opens the tree read-only under <see cref="HostDirectoryOverlay"/> and applies the changes at the commit.
/// </summary>
public sealed partial class HostDirectoryFileSystem : IFileSystem
{
    private readonly string hostDirectory;
    private readonly HostStat rootStat;
    private int rootFd;

    /// <param name="hostDirectory">The tree's top directory on the host (a symlink here is the caller's choice and is followed).</param>
    /// <param name="identity">How fstab names this tree; defaults to type "hostdir" with no UUID or label.</param>
    /// <param name="readOnly">Refuse every change with <see cref="FsError.ReadOnly"/>.</param>
    /// <param name="crossMounts">Also reach what is mounted inside the tree. By default (as <c>rm --one-file-system</c>)
    /// anything on another device or mount than the tree's top is off limits: reaching below it, opening, listing or
    /// changing it fails with <see cref="FsError.CrossDevice"/>; only its lstat is visible.</param>
    public HostDirectoryFileSystem(string hostDirectory, FileSystemIdentity? identity = null, bool readOnly = false, bool crossMounts = false)
    {
        ArgumentNullException.ThrowIfNull(hostDirectory);
        this.hostDirectory = Path.GetFullPath(hostDirectory);
        rootFd = HostNative.OpenAt(HostNative.AtFdCwd, this.hostDirectory, HostNative.OPath | HostNative.ODirectory | HostNative.OCloExec, 0);
        if (rootFd < 0)
        {
            var errno = HostNative.LastError;
            if (errno is HostNative.ENoEnt)
            {
                throw new ImageNotFoundException($"hostdir: directory not found: {this.hostDirectory}");
            }

            throw new ImageNotFoundException($"hostdir: cannot open directory {this.hostDirectory} (errno {errno})");
        }

        if (HostNative.TryHostStatAt(rootFd, string.Empty, out rootStat) != 0)
        {
            var errno = HostNative.LastError;
            HostNative.Close(rootFd);
            throw new ImageNotFoundException($"hostdir: cannot stat directory {this.hostDirectory} (errno {errno})");
        }

        Identity = identity ?? new FileSystemIdentity("hostdir", null, null);
        CanWrite = !readOnly;
        CrossMounts = crossMounts;
    }

    /// <summary>A second view of the very directory <paramref name="other"/> opened (not of whatever its path names now).</summary>
    private HostDirectoryFileSystem(HostDirectoryFileSystem other, bool readOnly)
    {
        hostDirectory = other.hostDirectory;
        rootStat = other.rootStat;
        rootFd = HostNative.OpenAt(other.RootFd, ".", HostNative.OPath | HostNative.ODirectory | HostNative.OCloExec, 0);
        if (rootFd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, "/", "reopen the tree's top directory");
        }

        Identity = other.Identity;
        CanWrite = !readOnly;
        CrossMounts = other.CrossMounts;
    }

    /// <summary>Whether mount points inside the tree are crossed (see the constructor).</summary>
    public bool CrossMounts { get; }

    /// <summary>True when <paramref name="hostDirectory"/> is the root directory of the running host: the same device and
    /// inode as <c>/</c>, whatever path names it (<c>/</c>, <c>/proc/1/root</c>, a bind mount of <c>/</c>...).</summary>
    public static bool IsLiveHostRoot(string hostDirectory)
    {
        ArgumentNullException.ThrowIfNull(hostDirectory);
        if (HostNative.TryHostStatAt(HostNative.AtFdCwd, "/", out var hostRoot) != 0)
        {
            return false;
        }

        var fd = HostNative.OpenAt(HostNative.AtFdCwd, Path.GetFullPath(hostDirectory), HostNative.OPath | HostNative.ODirectory | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return HostNative.TryHostStatAt(fd, string.Empty, out var tree) == 0
                && tree.Device == hostRoot.Device && tree.Status.Inode == hostRoot.Status.Inode;
        }
        finally
        {
            HostNative.Close(fd);
        }
    }

    /// <summary>A writable view of the same directory (same inode, even if its path was renamed or replaced since).</summary>
    internal HostDirectoryFileSystem OpenWritable() => new(this, readOnly: false);

    private int RootFd
    {
        get
        {
            ObjectDisposedException.ThrowIf(rootFd < 0, this);
            return rootFd;
        }
    }

    public string TypeName => "hostdir";

    public FileSystemIdentity Identity { get; }

    public bool CanWrite { get; }

    /// <summary>The host directory this file system shows.</summary>
    public string HostDirectory => hostDirectory;

    public FileStatus? TryStat(string path)
    {
        FileStatus status;
        try
        {
            using var parent = OpenParent(path);
            var errno = HostNative.TryStatAt(parent.Fd, parent.Name, out status);
            if (errno is HostNative.ENoEnt)
            {
                return null;
            }

            if (errno != 0)
            {
                throw HostErrors.FromErrno(errno, path, "stat");
            }
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound)
        {
            return null;
        }

        return status;
    }

    public IReadOnlyList<DirectoryEntry> ReadDirectory(string path)
    {
        using var parent = OpenParent(path);
        RequireSameMount(parent, path);
        var fd = HostNative.OpenAt(parent.Fd, parent.NameOrDot, HostNative.ORdOnly | HostNative.ODirectory | HostNative.ONoFollow | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw DirectoryOpenError(HostNative.LastError, path);
        }

        try
        {
            var entries = new List<DirectoryEntry>();

            // The fd pins the verified directory; /proc/self/fd/N reaches exactly that inode.
            foreach (var hostEntry in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{fd}"))
            {
                var name = Path.GetFileName(hostEntry);
                if (HostNative.TryStatAt(fd, name, out var status) == 0)
                {
                    entries.Add(new DirectoryEntry(name, status.Kind, status.Inode));
                }
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return entries;
        }
        finally
        {
            HostNative.Close(fd);
        }
    }

    public Stream OpenRead(string path)
    {
        using var parent = OpenParent(path);
        RequireSameMount(parent, path);
        RequireKind(parent, path, FileKind.Regular);
        var fd = HostNative.OpenAt(parent.Fd, parent.Name, HostNative.ORdOnly | HostNative.ONoFollow | HostNative.ONonBlock | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open for reading");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RequireRegularFd(fd, path);
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public string ReadLink(string path)
    {
        using var parent = OpenParent(path);
        var errno = HostNative.TryReadLinkAt(parent.Fd, parent.NameOrDot, out var target);
        return errno switch
        {
            0 => target,
            HostNative.EInval => throw HostErrors.Error(FsError.InvalidPath, path, "not a symbolic link"),
            _ => throw HostErrors.FromErrno(errno, path, "read link"),
        };
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
        if (rootFd >= 0)
        {
            HostNative.Close(rootFd);
            rootFd = -1;
        }
    }

    /// <summary>
    /// Opens every component but the last as a real directory (O_PATH|O_DIRECTORY|O_NOFOLLOW). '..' is
    /// applied lexically, which is exact here because every component before it was just proven to be a
    /// real directory, never a symlink.
    /// </summary>
    private HostDirectoryHandle OpenParent(string path)
    {
        ObjectDisposedException.ThrowIf(rootFd < 0, this);
        var parts = Canonical(path);
        if (parts.Count == 0)
        {
            return new HostDirectoryHandle(rootFd, ownsFd: false, string.Empty);
        }

        var current = rootFd;
        try
        {
            for (var i = 0; i < parts.Count - 1; i++)
            {
                var next = HostNative.OpenAt(current, parts[i], HostNative.OPath | HostNative.ODirectory | HostNative.ONoFollow | HostNative.OCloExec, 0);
                var errno = next < 0 ? HostNative.LastError : 0;
                if (current != rootFd)
                {
                    HostNative.Close(current);
                }

                current = rootFd;
                if (next < 0)
                {
                    throw DirectoryOpenError(errno, path);
                }

                current = next;
                RequireSameMount(current, string.Empty, "/" + string.Join('/', parts.Take(i + 1)));
            }
        }
        catch
        {
            if (current != rootFd)
            {
                HostNative.Close(current);
            }

            throw;
        }

        return new HostDirectoryHandle(current, ownsFd: current != rootFd, parts[^1]);
    }

    private List<string> Canonical(string path)
    {
        var stack = new List<string>();
        foreach (var part in PosixPath.Split(path))
        {
            if (part != "..")
            {
                stack.Add(part);
                continue;
            }

            if (stack.Count > 0)
            {
                // The component being left must be a real directory, as the kernel would require.
                EnsureRealDirectory("/" + string.Join('/', stack));

                stack.RemoveAt(stack.Count - 1);
            }
        }

        return stack;
    }

    private void EnsureRealDirectory(string path)
    {
        using var parent = OpenParent(path);
        var fd = HostNative.OpenAt(parent.Fd, parent.NameOrDot, HostNative.OPath | HostNative.ODirectory | HostNative.ONoFollow | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw DirectoryOpenError(HostNative.LastError, path);
        }

        HostNative.Close(fd);
    }

    /// <summary>
    /// Fails with CrossDevice when <paramref name="path"/> is at or below a mount point inside the tree (unless
    /// <see cref="CrossMounts"/>). Reaching the path already checks every directory on the way; this checks the last component.
    /// </summary>
    public void RequireSameFileSystem(string path)
    {
        using var parent = OpenParent(path);
        RequireSameMount(parent, path);
    }

    /// <summary>lstat with the host-only facts (device, mount, nanoseconds); null when absent.</summary>
    internal HostStat? TryStatHost(string path)
    {
        try
        {
            using var parent = OpenParent(path);
            var errno = HostNative.TryHostStatAt(parent.Fd, parent.Name, out var status);
            return errno switch
            {
                0 => status,
                HostNative.ENoEnt => null,
                _ => throw HostErrors.FromErrno(errno, path, "stat"),
            };
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="status"/> is on another mount than the tree's top and mounts are not crossed.</summary>
    internal bool IsOffLimits(HostStat status) => !CrossMounts && !status.SameMount(rootStat);

    private void RequireSameMount(HostDirectoryHandle parent, string path) => RequireSameMount(parent.Fd, parent.Name, path);

    private void RequireSameMount(int dirFd, string name, string path)
    {
        if (CrossMounts || HostNative.TryHostStatAt(dirFd, name, out var status) != 0 || status.SameMount(rootStat))
        {
            return;
        }

        throw HostErrors.Error(FsError.CrossDevice, path, "is a mount point inside the tree (another file system on the host), not crossed");
    }

    private static Exception DirectoryOpenError(int errno, string path) => errno switch
    {
        // O_NOFOLLOW on a symlink gives ELOOP: for us a symlink is simply not a directory.
        HostNative.ELoop or HostNative.ENotDir => HostErrors.Error(FsError.NotADirectory, path, "a path component is not a directory"),
        _ => HostErrors.FromErrno(errno, path, "open directory"),
    };

    private static FileStatus StatOrThrow(HostDirectoryHandle parent, string path)
    {
        var errno = HostNative.TryStatAt(parent.Fd, parent.Name, out var status);
        if (errno != 0)
        {
            throw HostErrors.FromErrno(errno, path, "stat");
        }

        return status;
    }

    private static void RequireKind(HostDirectoryHandle parent, string path, FileKind kind)
    {
        var status = StatOrThrow(parent, path);
        if (status.Kind == kind)
        {
            return;
        }

        throw status.Kind switch
        {
            FileKind.Directory => HostErrors.Error(FsError.IsADirectory, path, "is a directory"),
            FileKind.Symlink => HostErrors.Error(FsError.InvalidPath, path, "is a symbolic link"),
            _ => HostErrors.Error(FsError.InvalidPath, path, $"is not a {kind.ToString().ToLowerInvariant()} file ({status.Kind})"),
        };
    }

    private static void RequireRegularFd(int fd, string path)
    {
        var errno = HostNative.TryStatAt(fd, string.Empty, out var status);
        if (errno != 0)
        {
            throw HostErrors.FromErrno(errno, path, "stat");
        }

        if (status.Kind != FileKind.Regular)
        {
            throw HostErrors.Error(FsError.InvalidPath, path, "changed while being opened");
        }
    }
}
