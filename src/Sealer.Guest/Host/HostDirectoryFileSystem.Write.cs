using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

public sealed partial class HostDirectoryFileSystem
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0xfff;

    /// <summary>
    /// A new file is created with <paramref name="mode"/> and owner. An existing file is never rewritten in place: the new
    /// content goes to a temporary file in the same directory, is synced, and is renamed over the old name (a new inode
    /// keeping the old mode and owner), so a hard link elsewhere keeps the old content and a crash leaves old or new, whole.
    /// </summary>
    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.IsADirectory);
        RequireSameMount(parent, path);
        var exists = HostNative.TryStatAt(parent.Fd, parent.Name, out var old) == 0;
        if (exists)
        {
            // Checked before open: opening a device node or fifo planted in the tree could act on the host.
            RequireKind(parent, path, FileKind.Regular);
            ReplaceAt(parent, path, content, old.Mode, old.Uid, old.Gid, times: null);
            return;
        }

        var flags = HostNative.OWrOnly | HostNative.ONoFollow | HostNative.OCloExec | HostNative.ONonBlock | HostNative.OCreat | HostNative.OExcl;
        var fd = HostNative.OpenAt(parent.Fd, parent.Name, flags, (uint)(mode & PermissionBits));
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open for writing");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RequireRegularFd(fd, path);
        ChmodFd(fd, mode, path);
        Chown(fd, string.Empty, uid, gid, path);
        using var stream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
        stream.Write(content);
    }

    /// <summary>
    /// Puts <paramref name="content"/> at <paramref name="path"/> as a new inode: temp file in the same directory,
    /// mode, owner and times set, fsync, rename over the old name, fsync of the directory. Whatever was at the name
    /// (a regular file, or nothing) is replaced; a directory there is refused by rename(2).
    /// </summary>
    /// <param name="times">(atime, mtime) in Unix seconds, or null for "now".</param>
    internal void ReplaceFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid, int gid, (long Access, long Modified)? times)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RefuseRoot(parent, path, FsError.IsADirectory);
        RequireSameMount(parent, path);
        ReplaceAt(parent, path, content, mode, uid, gid, times);
    }

    private static void ReplaceAt(HostDirectoryHandle parent, string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid, int gid, (long Access, long Modified)? times)
    {
        // A name no guest package uses, unique per process and call; O_EXCL makes a planted name fail, never followed.
        var stem = parent.Name.Length > 180 ? parent.Name[..180] : parent.Name;
        var temporary = $".{stem}.sealer-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var flags = HostNative.OWrOnly | HostNative.ONoFollow | HostNative.OCloExec | HostNative.ONonBlock | HostNative.OCreat | HostNative.OExcl;
        var fd = HostNative.OpenAt(parent.Fd, temporary, flags, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "create a temporary file next to");
        }

        var renamed = false;
        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                // Not through a FileStream: disposing one closes the handle, which the calls below still need.
                RandomAccess.Write(handle, content, fileOffset: 0);

                // chown drops security.capability, so the old file's extended attributes (SELinux label, ACLs,
                // capabilities) are copied after it; chmod last, so a copied ACL's mask follows the mode.
                Chown(fd, string.Empty, uid, gid, path);
                CopyExtendedAttributes(parent, fd, path);
                ChmodFd(fd, mode, path);
                if (times is { } t)
                {
                    long[] spec = [t.Access, 0, t.Modified, 0];
                    if (HostNative.Futimens(fd, spec) != 0)
                    {
                        throw HostErrors.FromErrno(HostNative.LastError, path, "set times");
                    }
                }

                if (HostNative.Fsync(fd) != 0)
                {
                    throw HostErrors.FromErrno(HostNative.LastError, path, "fsync");
                }
            }

            if (HostNative.RenameAt(parent.Fd, temporary, parent.Fd, parent.Name) != 0)
            {
                throw HostErrors.FromErrno(HostNative.LastError, path, "rename the new content over");
            }

            renamed = true;
            SyncDirectory(parent.Fd, path);
        }
        finally
        {
            if (!renamed)
            {
                HostNative.UnlinkAt(parent.Fd, temporary, 0);
            }
        }
    }

    /// <summary>Gives the new inode the extended attributes of the regular file it replaces (none when there is none).</summary>
    private static void CopyExtendedAttributes(HostDirectoryHandle parent, int newFd, string path)
    {
        if (HostNative.TryStatAt(parent.Fd, parent.Name, out FileStatus old) != 0 || old.Kind != FileKind.Regular)
        {
            return;
        }

        // A regular file (checked above and again on the fd): opening it cannot block or act on a device.
        var oldFd = HostNative.OpenAt(parent.Fd, parent.Name, HostNative.ORdOnly | HostNative.ONoFollow | HostNative.ONonBlock | HostNative.OCloExec, 0);
        if (oldFd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open to copy its extended attributes");
        }

        try
        {
            RequireRegularFd(oldFd, path);
            foreach (var name in ListXattrs(oldFd, path))
            {
                var value = GetXattr(oldFd, name, path);
                if (value is not null && HostNative.FSetXattr(newFd, name, value, (nuint)value.Length, 0) != 0)
                {
                    throw HostErrors.FromErrno(HostNative.LastError, path, $"copy extended attribute {System.Text.Encoding.UTF8.GetString(name.AsSpan(0, name.Length - 1))} to the new content of");
                }
            }
        }
        finally
        {
            HostNative.Close(oldFd);
        }
    }

    private static List<byte[]> ListXattrs(int fd, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var size = HostNative.FListXattr(fd, null, 0);
            if (size < 0)
            {
                var errno = HostNative.LastError;
                return errno == HostNative.ENotSup ? [] : throw HostErrors.FromErrno(errno, path, "list extended attributes of");
            }

            var buffer = new byte[size];
            var read = size == 0 ? 0 : HostNative.FListXattr(fd, buffer, (nuint)buffer.Length);
            if (read < 0 && HostNative.LastError == HostNative.ERange && attempt < 3)
            {
                continue;
            }

            if (read < 0)
            {
                throw HostErrors.FromErrno(HostNative.LastError, path, "list extended attributes of");
            }

            // NUL-terminated names; each kept with its NUL for the *xattr calls.
            var names = new List<byte[]>();
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == 0)
                {
                    names.Add(buffer[start..(i + 1)]);
                    start = i + 1;
                }
            }

            return names;
        }
    }

    private static byte[]? GetXattr(int fd, byte[] name, string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var size = HostNative.FGetXattr(fd, name, null, 0);
            if (size < 0)
            {
                return HostNative.LastError == HostNative.ENoData ? null : throw HostErrors.FromErrno(HostNative.LastError, path, "read an extended attribute of");
            }

            var value = new byte[size];
            var read = HostNative.FGetXattr(fd, name, value, (nuint)value.Length);
            if (read >= 0)
            {
                return value[..(int)read];
            }

            if (HostNative.LastError != HostNative.ERange)
            {
                throw HostErrors.FromErrno(HostNative.LastError, path, "read an extended attribute of");
            }
        }

        throw HostErrors.Error(FsError.Corrupt, path, "an extended attribute keeps changing size");
    }

    /// <summary>fsync of a directory, so a rename or unlink in it survives a crash (an O_PATH fd cannot be synced).</summary>
    internal static void SyncDirectory(int directoryFd, string path)
    {
        var fd = HostNative.OpenAt(directoryFd, ".", HostNative.ORdOnly | HostNative.ODirectory | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, path, "open the directory of");
        }

        try
        {
            if (HostNative.Fsync(fd) != 0)
            {
                throw HostErrors.FromErrno(HostNative.LastError, path, "fsync the directory of");
            }
        }
        finally
        {
            HostNative.Close(fd);
        }
    }

    /// <summary>fsync of a directory of the tree, so the renames and unlinks made in it survive a crash.</summary>
    internal void SyncDirectory(string directory)
    {
        using var parent = OpenParent(directory);
        var fd = HostNative.OpenAt(parent.Fd, parent.NameOrDot, HostNative.OPath | HostNative.ODirectory | HostNative.ONoFollow | HostNative.OCloExec, 0);
        if (fd < 0)
        {
            throw HostErrors.FromErrno(HostNative.LastError, directory, "open directory");
        }

        try
        {
            SyncDirectory(fd, directory);
        }
        finally
        {
            HostNative.Close(fd);
        }
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
        RequireSameMount(parent, path);
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
        RequireSameMount(parent, path);
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
        RequireSameMount(existing, existingPath);
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
        RequireSameMount(source, sourcePath);
        RequireSameMount(destination, destinationPath);
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
        RequireSameMount(parent, path);
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
        RequireSameMount(parent, path);
        Chown(parent.Fd, parent.NameOrDot, uid, gid, path);
    }

    public void SetTimes(string path, long accessTime, long modifiedTime)
    {
        RequireWritable(path);
        using var parent = OpenParent(path);
        RequireSameMount(parent, path);
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

    /// <summary>Opens a regular file to change it in place; refused when another hard link shares the inode, since that
    /// link may be a file outside the tree (the host's own /etc/machine-id).</summary>
    private SafeFileHandle OpenExistingRegular(string path, int accessFlags)
    {
        using var parent = OpenParent(path);
        RequireSameMount(parent, path);
        RequireKind(parent, path, FileKind.Regular);
        if (StatOrThrow(parent, path).LinkCount > 1)
        {
            throw HostErrors.Error(FsError.TooManyLinks, path, "has more than one hard link (one may be outside the tree); refusing to change it in place");
        }

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
