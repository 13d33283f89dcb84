using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest;

public sealed partial class GuestRoot
{
    /// <summary>lstat(2): the last component is not followed.</summary>
    public FileStatus? TryStat(string path)
    {
        string resolved;
        try
        {
            resolved = ResolvePath(path, followLast: false);
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound)
        {
            return null;
        }

        return TryStatResolved(resolved);
    }

    /// <summary>Lists a directory, following a final symlink (as opendir(3) does).</summary>
    public IReadOnlyList<DirectoryEntry> ReadDirectory(string path)
    {
        var (fileSystem, inner) = Locate(ResolvePath(path, followLast: true));
        return fileSystem.ReadDirectory(inner);
    }

    /// <summary>Opens a regular file for reading, following a final symlink (as open(2) does).</summary>
    public Stream OpenRead(string path)
    {
        var (fileSystem, inner) = Locate(ResolvePath(path, followLast: true));
        return fileSystem.OpenRead(inner);
    }

    public string ReadLink(string path)
    {
        var (fileSystem, inner) = LocateLast(path);
        return fileSystem.ReadLink(inner);
    }

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.WriteFile(inner, content, mode, uid, gid);
    }

    public void Append(string path, ReadOnlySpan<byte> content)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.Append(inner, content);
    }

    public void Truncate(string path, long length)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.Truncate(inner, length);
    }

    public void Delete(string path)
    {
        var (fileSystem, inner) = LocateLast(path, refuseMountPoint: true);
        fileSystem.Delete(inner);
    }

    public void RemoveDirectory(string path)
    {
        var (fileSystem, inner) = LocateLast(path, refuseMountPoint: true);
        fileSystem.RemoveDirectory(inner);
    }

    /// <summary>Removes a directory tree. Refused when a mount point lies at or below it (the mounted tree is busy).</summary>
    public void DeleteTree(string path)
    {
        var resolved = ResolvePath(path, followLast: false);
        var busy = mounts.Skip(1).FirstOrDefault(m => IsAtOrBelow(m.MountPoint, resolved));
        if (busy.FileSystem is not null)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, $"a file system is mounted at {busy.MountPoint}");
        }

        var (fileSystem, inner) = Locate(resolved);
        fileSystem.DeleteTree(inner);
    }

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.CreateDirectory(inner, mode, uid, gid);
    }

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.CreateSymbolicLink(inner, target, uid, gid);
    }

    public void CreateHardLink(string existingPath, string newPath)
    {
        var (existingFs, existingInner) = LocateLast(existingPath);
        var (newFs, newInner) = LocateLast(newPath);
        if (!ReferenceEquals(existingFs, newFs))
        {
            throw new GuestFileSystemException(FsError.CrossDevice, newPath, $"cannot hard-link across file systems from {existingPath}");
        }

        existingFs.CreateHardLink(existingInner, newInner);
    }

    public void Rename(string sourcePath, string destinationPath)
    {
        var (sourceFs, sourceInner) = LocateLast(sourcePath, refuseMountPoint: true);
        var (destinationFs, destinationInner) = LocateLast(destinationPath, refuseMountPoint: true);
        if (!ReferenceEquals(sourceFs, destinationFs))
        {
            throw new GuestFileSystemException(FsError.CrossDevice, destinationPath, $"cannot rename across file systems from {sourcePath}");
        }

        sourceFs.Rename(sourceInner, destinationInner);
    }

    public void SetMode(string path, UnixFileMode mode)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.SetMode(inner, mode);
    }

    public void SetOwner(string path, int uid, int gid)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.SetOwner(inner, uid, gid);
    }

    public void SetTimes(string path, long accessTime, long modifiedTime)
    {
        var (fileSystem, inner) = LocateLast(path);
        fileSystem.SetTimes(inner, accessTime, modifiedTime);
    }

    /// <summary>Where a path lives when its last component is not followed (lstat semantics, for mutations).</summary>
    private (IFileSystem FileSystem, string InnerPath) LocateLast(string path, bool refuseMountPoint = false)
    {
        var resolved = ResolvePath(path, followLast: false);
        if (refuseMountPoint && (resolved == "/" || mounts.Any(m => m.MountPoint == resolved)))
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "is a mount point");
        }

        return Locate(resolved);
    }
}
