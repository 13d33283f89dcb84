namespace Sealer.Core.FileSystems;

/// <summary>
/// A POSIX-shaped view of one guest file system. Paths are absolute inside this file system and '/'-separated.
/// The file system never follows symbolic links: a symlink (or any non-directory) used as a directory component
/// fails with <see cref="Errors.FsError.NotADirectory"/>. Following links, across mounts and re-rooted at the guest's
/// '/', is the guest view's job. Mutations act on the last component itself (lstat semantics).
/// Failures throw <see cref="Errors.GuestFileSystemException"/> with a code; corrupt structures throw
/// <see cref="Errors.InvalidImageException"/>; writes that need an unsupported feature throw
/// <see cref="Errors.UnsupportedFeatureException"/>.
/// </summary>
public interface IFileSystem : IDisposable
{
    /// <summary>"ext4", "ext3", "ext2", "hostdir"...</summary>
    string TypeName { get; }

    FileSystemIdentity Identity { get; }

    bool CanWrite { get; }

    /// <summary>lstat of <paramref name="path"/>, or null when it does not exist.</summary>
    FileStatus? TryStat(string path);

    IReadOnlyList<DirectoryEntry> ReadDirectory(string path);

    /// <summary>A read-only stream over a regular file's content, streamed (never loaded whole).</summary>
    Stream OpenRead(string path);

    string ReadLink(string path);

    /// <summary>Creates the file or replaces its content. Mode and owner apply only when the file is created.</summary>
    void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0);

    void Append(string path, ReadOnlySpan<byte> content);

    void Truncate(string path, long length);

    /// <summary>Unlinks a non-directory (file, symlink, device, fifo, socket).</summary>
    void Delete(string path);

    /// <summary>Removes an empty directory.</summary>
    void RemoveDirectory(string path);

    /// <summary>Removes a directory and everything below it (never following symlinks).</summary>
    void DeleteTree(string path);

    void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0);

    void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0);

    void CreateHardLink(string existingPath, string newPath);

    /// <summary>rename(2): replaces a destination non-directory or empty directory.</summary>
    void Rename(string sourcePath, string destinationPath);

    void SetMode(string path, UnixFileMode mode);

    void SetOwner(string path, int uid, int gid);

    void SetTimes(string path, long accessTime, long modifiedTime);

    /// <summary>Writes every pending metadata change (bitmaps, descriptors, superblock, checksums) to the device.</summary>
    void Flush();
}
