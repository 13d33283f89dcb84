using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4;

/// <summary>Path resolution (never following symbolic links).</summary>
public sealed partial class Ext4FileSystem
{
    private Ext4Inode Resolve(string path)
    {
        var current = _ctx.Inodes.Read(RootInode);
        foreach (var part in PosixPath.Split(path))
        {
            current = Child(current, part, path);
        }

        return current;
    }

    /// <summary>The directory holding the last component, and that component's name.</summary>
    private (Ext4Inode Parent, string Name) ResolveParent(string path)
    {
        var parts = PosixPath.Split(path);
        if (parts.Length == 0 || parts[^1] == "..")
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "path has no final name");
        }

        var current = _ctx.Inodes.Read(RootInode);
        foreach (var part in parts[..^1])
        {
            current = Child(current, part, path);
        }

        if (current.Kind != FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.NotADirectory, path, "a path component is not a directory");
        }

        return (current, parts[^1]);
    }

    private Ext4Inode Child(Ext4Inode dir, string name, string path)
    {
        if (dir.Kind != FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.NotADirectory, path, "a path component is not a directory");
        }

        var entry = _dirs.Find(dir, name) ?? throw new GuestFileSystemException(FsError.NotFound, path, "no such file or directory");
        return LoadLinked(entry.Inode, path);
    }

    /// <summary>Reads an inode named by a directory entry, rejecting entries that point at free inodes.</summary>
    private Ext4Inode LoadLinked(uint number, string path)
    {
        var inode = _ctx.Inodes.Read(number);
        if (inode.Mode == 0 || inode.LinksCount == 0 && inode.Kind != FileKind.Directory)
        {
            throw new InvalidImageException($"ext4: directory entry for {path} points to unused inode {number}");
        }

        return inode;
    }
}
