using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

public sealed partial class HostDirectoryFileSystem
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0xfff;

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.IsADirectory);
        var exists = HostNative.TryStatAt(parent.Fd, parent.Name, out _) == 0;
        if (exists)
        {
            // Checked before open: opening a device node or fifo planted in the tree could act on the host.
            RequireKind(parent, path, FileKind.Regular);
        }

        var flags = HostNative.OWrOnly | HostNative.ONoFollow | HostNative.OCloExec | HostNative.ONonBlock;
        var fd = HostNative.OpenAt(parent.Fd, parent.Name, flags | (exists ? HostNative.OTrunc : HostNative.OCreat | HostNative.OExcl), (uint)(mode & PermissionBits));
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open for writing");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RequireRegularFd(fd, path);
        if (!exists)
        {
            ChmodFd(fd, mode, path);
            Chown(fd, string.Empty, uid, gid, path);
        }

        using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        stream.Write(content);
    }

    public void Append(string path, ReadOnlySpan<byte> content)
    {
        RequireWritable(path);
        using var handle = OpenExistingRegular(path, HostNative.OWrOnly | HostNative.OAppend);
        using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        stream.Seek(0, SeekOrigin.End);
        stream.Write(content);
    }

    public void Truncate(string path, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        RequireWritable(path);
        using var handle = OpenExistingRegular(path, HostNative.OWrOnly);
        if (HostNative.Ftruncate((int)handle.DangerousGetHandle(), length) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "truncate");
        }
    }

    public void Delete(string path)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.IsADirectory);
        if (StatOrThrow(parent, path).Kind == FileKind.Directory)
        {
            throw HostErrors.Error(FsError.IsADirectory, path, "is a directory");
        }

        if (HostNative.UnlinkAt(parent.Fd, parent.Name, 0) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "unlink");
        }
    }

    public void RemoveDirectory(string path)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.InvalidPath);
        if (StatOrThrow(parent, path).Kind != FileKind.Directory)
        {
            throw HostErrors.Error(FsError.NotADirectory, path, "is not a directory");
        }

        if (HostNative.UnlinkAt(parent.Fd, parent.Name, HostNative.AtRemoveDir) != 0)
        {
            var errno = HostNative.LastError;
            throw errno is HostNative.ENotEmpty or HostNative.EExist
                ? HostErrors.Error(FsError.DirectoryNotEmpty, path, "directory not empty")
                : HostErrors.FromErrno(errno, path, "remove directory");
        }
    }

    public void DeleteTree(string path)
    {
        RequireWritable(path);
        var status = TryStat(path) ?? throw HostErrors.Error(FsError.NotFound, path, "no such directory");
        if (status.Kind != FileKind.Directory)
        {
            throw HostErrors.Error(FsError.NotADirectory, path, "is not a directory");
        }

        DeleteTreeBelow(path, depth: 0);
        RemoveDirectory(path);
    }

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.AlreadyExists);
        if (HostNative.MkdirAt(parent.Fd, parent.Name, (uint)(mode & PermissionBits)) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "create directory");
        }

        var fd = HostNative.OpenAt(parent.Fd, parent.Name, HostNative.OPath | HostNative.ODirectory | HostNative.ONoFollow | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open new directory");
        }

        try
        {
            ChmodFd(fd, mode, path);
            Chown(fd, string.Empty, uid, gid, path);
        }
        finally
        {
            HostNative.Close(fd);
        }
    }

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        RequireWritable(path);
        if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
        {
            throw HostErrors.Error(FsError.InvalidPath, path, "symlink target is empty or contains NUL");
        }

        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.AlreadyExists);
        if (HostNative.SymlinkAt(target, parent.Fd, parent.Name) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "create symbolic link");
        }

        Chown(parent.Fd, parent.Name, uid, gid, path);
    }

    public void CreateHardLink(string existingPath, string newPath)
    {
        RequireWritable(newPath);
        using var existing = OpenParent(existingPath);
        using var target = OpenParent(newPath);
        RefuseRoot(existing, existingPath, FsError.IsADirectory);
        RefuseRoot(target, newPath, FsError.AlreadyExists);
        if (StatOrThrow(existing, existingPath).Kind == FileKind.Directory)
        {
            throw HostErrors.Error(FsError.IsADirectory, existingPath, "cannot hard-link a directory");
        }

        if (HostNative.LinkAt(existing.Fd, existing.Name, target.Fd, target.Name, 0) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, newPath, "create hard link");
        }
    }

    public void Rename(string sourcePath, string destinationPath)
    {
        RequireWritable(destinationPath);
        using var source = OpenParent(sourcePath);
        using var destination = OpenParent(destinationPath);
        RefuseRoot(source, sourcePath, FsError.InvalidPath);
        RefuseRoot(destination, destinationPath, FsError.InvalidPath);
        if (HostNative.RenameAt(source.Fd, source.Name, destination.Fd, destination.Name) != 0)
        {
            var errno = HostNative.LastError;
            throw errno is HostNative.ENotEmpty or HostNative.EExist
                ? HostErrors.Error(FsError.DirectoryNotEmpty, destinationPath, "destination directory not empty")
                : HostErrors.FromErrno(errno, sourcePath, $"rename to {destinationPath}");
        }
    }

    public void SetMode(string path, UnixFileMode mode)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        var fd = HostNative.OpenAt(parent.Fd, parent.NameOrDot, HostNative.OPath | HostNative.ONoFollow | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open");
        }

        try
        {
            HostNative.TryStatAt(fd, string.Empty, out var status);
            if (status.Kind == FileKind.Symlink)
            {
                // Linux has no lchmod: a symlink's mode is always 0777 on the host.
                throw new UnsupportedFeatureException($"hostdir: cannot change the mode of a symbolic link: {path}");
            }

            ChmodFd(fd, mode, path);
        }
        finally
        {
            HostNative.Close(fd);
        }
    }

    public void SetOwner(string path, int uid, int gid)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        Chown(parent.Fd, parent.NameOrDot, uid, gid, path);
    }

    public void SetTimes(string path, long accessTime, long modifiedTime)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        long[] times = [accessTime, 0, modifiedTime, 0];
        if (HostNative.UtimensAt(parent.Fd, parent.NameOrDot, times, HostNative.AtSymlinkNoFollow) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "set times");
        }
    }

    private void DeleteTreeBelow(string path, int depth)
    {
        // PATH_MAX-deep trees are impossible on Linux; this bounds recursion on a hostile tree anyway.
        if (depth > 2048)
        {
            throw HostErrors.Error(FsError.InvalidPath, path, "directory tree too deep");
        }

        foreach (var entry in ReadDirectory(path))
        {
            var child = PosixPath.Combine(path, entry.Name);
            if (entry.Kind == FileKind.Directory)
            {
                DeleteTreeBelow(child, depth + 1);
                RemoveDirectory(child);
            }
            else
            {
                Delete(child);
            }
        }
    }

    private SafeFileHandle OpenExistingRegular(string path, int accessFlags)
    {
        using var parent = OpenParent(path);
        RequireKind(parent, path, FileKind.Regular);
        var fd = HostNative.OpenAt(parent.Fd, parent.Name, accessFlags | HostNative.ONoFollow | HostNative.OCloExec | HostNative.ONonBlock, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open for writing");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            RequireRegularFd(fd, path);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private void RequireWritable(string path)
    {
        ObjectDisposedException.ThrowIf(rootFd < 0, this);
        if (!CanWrite)
        {
            throw HostErrors.Error(FsError.ReadOnly, path, "opened read-only");
        }
    }

    private static void RefuseRoot(HostDirectoryHandle parent, string path, FsError code)
    {
        if (parent.IsRoot)
        {
            throw HostErrors.Error(code, path, "not allowed on the root directory");
        }
    }

    private static void ChmodFd(int fd, UnixFileMode mode, string path)
    {
        // An O_PATH descriptor cannot be fchmod()ed; its /proc/self/fd link reaches exactly that inode.
        if (HostNative.FchmodAt(HostNative.AtFdCwd, $"/proc/self/fd/{fd}", (uint)(mode & PermissionBits), 0) != 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "change mode");
        }
    }

    private static void Chown(int dirFd, string name, int uid, int gid, string path)
    {
        var flags = HostNative.AtSymlinkNoFollow | (name.Length == 0 ? HostNative.AtEmptyPath : 0);
        if (HostNative.FchownAt(dirFd, name, uid, gid, flags) == 0)
        {
            return;
        }

        var errno = HostNative.LastError;
        if (errno is HostNative.EPerm or HostNative.EAcces)
        {
            // Unprivileged runs may still succeed when nothing actually changes.
            if (HostNative.TryStatAt(dirFd, name, out var status) == 0 && status.Uid == uid && status.Gid == gid)
            {
                return;
            }

            throw new UnsupportedFeatureException(
                $"hostdir: cannot set owner {uid}:{gid} on {path}: not permitted (running as uid {HostNative.GetEuid()}; run as root to seal a --dir tree owned by other users)");
        }

        throw HostErrors.FromErrno(errno, path, "change owner");
    }
}
