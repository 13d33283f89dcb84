using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4;

/// <summary>Creating, linking, renaming and removing names.</summary>
public sealed partial class Ext4FileSystem
{
    private const int MaxTreeDepth = 4096;

    public void Delete(string path) => Mutate(() =>
    {
        var (parent, name) = ResolveParent(path);
        var inode = Child(parent, name, path);
        if (IsDir(inode))
        {
            throw new GuestFileSystemException(FsError.IsADirectory, path, "is a directory");
        }

        RequireModifiable(parent, path);
        _dirs.Remove(parent, name);
        Touch(parent, modified: true);
        _ctx.Inodes.Write(parent);
        DropLink(inode);
    });

    public void RemoveDirectory(string path) => Mutate(() =>
    {
        var (parent, name) = ResolveParent(path);
        var dir = Child(parent, name, path);
        if (!IsDir(dir))
        {
            throw new GuestFileSystemException(FsError.NotADirectory, path, "not a directory");
        }

        if (!_dirs.IsEmpty(dir))
        {
            throw new GuestFileSystemException(FsError.DirectoryNotEmpty, path, "directory not empty");
        }

        RemoveEmptyDirectory(parent, name, dir, path);
    });

    public void DeleteTree(string path) => Mutate(() =>
    {
        var (parent, name) = ResolveParent(path);
        var target = Child(parent, name, path);
        if (!IsDir(target))
        {
            RequireModifiable(parent, path);
            _dirs.Remove(parent, name);
            Touch(parent, modified: true);
            _ctx.Inodes.Write(parent);
            DropLink(target);
            return;
        }

        // A directory reached twice (a hard-linked directory, or an entry leading back to an ancestor) is corrupt:
        // refuse it at once instead of walking the loop (and freeing its inodes twice).
        var visited = new HashSet<uint> { RootInode, parent.Number, target.Number };
        DeleteContents(target, path, 0, visited);
        RemoveEmptyDirectory(parent, name, _ctx.Inodes.Read(target.Number), path);
    });

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0) => Mutate(() =>
    {
        var (parent, name) = ResolveParent(path);
        RequireAbsent(parent, name, path);
        RequireModifiable(parent, path);
        RequireTrueDirLinks(parent, path);
        var dir = NewInode(parent, (ushort)(0x4000 | ((int)mode & 0xFFF)), uid, gid, directory: true);
        dir.LinksCount = 2;
        var map = new FileMap();
        var block = _ctx.AllocateRuns(_ctx.GoalFor(dir, map), 1)[0].Start;
        map.Extents.Add(new Extent(0, block, 1, false));
        MapWriter.Store(_ctx, dir, map);
        dir.Size = _ctx.BlockSize;
        _dirs.InitializeBlock(dir, block, parent.Number);
        _ctx.Inodes.Write(dir);
        _dirs.Add(parent, name, dir.Number, 2);
        IncrementDirLinks(parent, path);
        Touch(parent, modified: true);
        _ctx.Inodes.Write(parent);
    });

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0) => Mutate(() =>
    {
        var (parent, name) = ResolveParent(path);
        RequireAbsent(parent, name, path);
        RequireModifiable(parent, path);
        var bytes = EncodeTarget(target, path, _ctx.BlockSize);
        var link = NewInode(parent, 0xA1FF, uid, gid, directory: false);
        link.LinksCount = 1;
        if (bytes.Length < Ext4Inode.BlockMapSize)
        {
            link.Flags &= ~Ext4Inode.FlagExtents;
            bytes.CopyTo(link.BlockMap);
            link.Size = bytes.Length;
        }
        else
        {
            _content.Replace(link, bytes);
        }

        _ctx.Inodes.Write(link);
        _dirs.Add(parent, name, link.Number, 7);
        Touch(parent, modified: true);
        _ctx.Inodes.Write(parent);
    });

    public void CreateHardLink(string existingPath, string newPath) => Mutate(() =>
    {
        var inode = Resolve(existingPath);
        if (IsDir(inode))
        {
            throw new GuestFileSystemException(FsError.IsADirectory, existingPath, "cannot hard-link a directory");
        }

        var (parent, name) = ResolveParent(newPath);
        RequireAbsent(parent, name, newPath);
        RequireModifiable(parent, newPath);
        if (inode.LinksCount >= LinkMax)
        {
            throw new GuestFileSystemException(FsError.TooManyLinks, existingPath, "too many links");
        }

        _dirs.Add(parent, name, inode.Number, DirentType(inode));
        Touch(parent, modified: true);
        _ctx.Inodes.Write(parent);
        var fresh = _ctx.Inodes.Read(inode.Number);
        fresh.LinksCount++;
        Touch(fresh, modified: false);
        _ctx.Inodes.Write(fresh);
    });

    public void Rename(string sourcePath, string destinationPath) => Mutate(() =>
    {
        var (srcParent, srcName) = ResolveParent(sourcePath);
        var srcEntry = _dirs.Find(srcParent, srcName) ?? throw new GuestFileSystemException(FsError.NotFound, sourcePath, "no such file or directory");
        var (dstParentLoaded, dstName) = ResolveParent(destinationPath);
        var dstParent = dstParentLoaded.Number == srcParent.Number ? srcParent : dstParentLoaded;
        if (dstParent == srcParent && dstName == srcName)
        {
            return;
        }

        var moving = LoadLinked(srcEntry.Inode, sourcePath);
        RequireModifiable(srcParent, sourcePath);
        RequireModifiable(dstParent, destinationPath);
        if (IsDir(moving))
        {
            RequireNotInside(moving.Number, dstParent, destinationPath);
            if (srcParent.Number != dstParent.Number)
            {
                RequireTrueDirLinks(srcParent, sourcePath);
                RequireTrueDirLinks(dstParent, destinationPath);
            }
            else if (_dirs.Find(dstParent, dstName) is not null)
            {
                RequireTrueDirLinks(dstParent, destinationPath);
            }
        }

        var dstEntry = _dirs.Find(dstParent, dstName);
        var replacedDir = false;
        if (dstEntry is { } existing)
        {
            if (existing.Inode == moving.Number)
            {
                return;
            }

            var victim = LoadLinked(existing.Inode, destinationPath);
            if (IsDir(moving) != IsDir(victim))
            {
                throw new GuestFileSystemException(IsDir(victim) ? FsError.IsADirectory : FsError.NotADirectory, destinationPath, "cannot replace");
            }

            if (IsDir(victim) && !_dirs.IsEmpty(victim))
            {
                throw new GuestFileSystemException(FsError.DirectoryNotEmpty, destinationPath, "directory not empty");
            }

            _dirs.Retarget(dstParent, existing, moving.Number, DirentType(moving));
            if (IsDir(victim))
            {
                FreeInode(victim, directory: true);
                replacedDir = true;
            }
            else
            {
                DropLink(victim);
            }
        }
        else
        {
            _dirs.Add(dstParent, dstName, moving.Number, DirentType(moving));
        }

        _dirs.Remove(srcParent, srcName);
        if (IsDir(moving) && srcParent.Number != dstParent.Number)
        {
            var dotDot = _dirs.Find(moving, "..") ?? throw new InvalidImageException($"ext4: directory inode {moving.Number} has no '..' entry");
            _dirs.Retarget(moving, dotDot, dstParent.Number, 2);
            DecrementDirLinks(srcParent);
            if (!replacedDir)
            {
                IncrementDirLinks(dstParent, destinationPath);
            }
        }
        else if (replacedDir)
        {
            DecrementDirLinks(dstParent);
        }

        Touch(moving, modified: false);
        _ctx.Inodes.Write(moving);
        Touch(srcParent, modified: true);
        _ctx.Inodes.Write(srcParent);
        if (dstParent != srcParent)
        {
            Touch(dstParent, modified: true);
            _ctx.Inodes.Write(dstParent);
        }
    });

    /// <summary>Releases everything below <paramref name="dir"/>. The directory itself is freed by the caller, so its
    /// own blocks are not edited entry by entry (keeps deleting a huge directory linear).</summary>
    private void DeleteContents(Ext4Inode dir, string path, int depth, HashSet<uint> visited)
    {
        if (depth > MaxTreeDepth)
        {
            throw new InvalidImageException($"ext4: directory tree under {PosixPath.Abbreviate(path)} is deeper than {MaxTreeDepth}");
        }

        RequireModifiable(dir, path);
        foreach (var entry in _dirs.Enumerate(dir).ToList())
        {
            if (entry.Name is "." or "..")
            {
                continue;
            }

            var childPath = PosixPath.Combine(path, entry.Name);
            var child = LoadLinked(entry.Inode, childPath);
            if (IsDir(child))
            {
                if (!visited.Add(child.Number))
                {
                    throw new InvalidImageException(
                        $"ext4: directory loop: {PosixPath.Abbreviate(childPath)} is directory inode {child.Number}, already reached (hard-linked directory)");
                }

                DeleteContents(child, childPath, depth + 1, visited);
                FreeInode(_ctx.Inodes.Read(child.Number), directory: true);
            }
            else
            {
                DropLink(child);
            }
        }
    }

    private void RemoveEmptyDirectory(Ext4Inode parent, string name, Ext4Inode dir, string path)
    {
        if (dir.Number == RootInode)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "cannot remove the root directory");
        }

        RequireModifiable(parent, path);
        RequireTrueDirLinks(parent, path);
        _dirs.Remove(parent, name);
        DecrementDirLinks(parent);
        Touch(parent, modified: true);
        _ctx.Inodes.Write(parent);
        FreeInode(dir, directory: true);
    }

    /// <summary>Drops one name of a non-directory; frees it with its blocks when no name is left.</summary>
    private void DropLink(Ext4Inode inode)
    {
        var fresh = _ctx.Inodes.Read(inode.Number);
        if (fresh.LinksCount > 1)
        {
            fresh.LinksCount--;
            Touch(fresh, modified: false);
            _ctx.Inodes.Write(fresh);
            return;
        }

        FreeInode(fresh, directory: false);
    }

    private void FreeInode(Ext4Inode inode, bool directory)
    {
        if (inode.Number < _ctx.Sb.FirstInode)
        {
            throw new UnsupportedFeatureException($"ext4: cannot delete reserved inode {inode.Number}");
        }

        RequireModifiable(inode, $"inode {inode.Number}");
        _content.ReleaseAll(inode);
        inode.LinksCount = 0;
        inode.DeletionTime = (uint)Now;
        Touch(inode, modified: true);
        _ctx.Inodes.Write(inode);
        _ctx.Allocator.FreeInode(inode.Number, directory);
    }

    private void IncrementDirLinks(Ext4Inode dir, string path)
    {
        if (dir.LinksCount == 1)
        {
            return;
        }

        if (dir.LinksCount + 1 > LinkMax)
        {
            if (!_ctx.Sb.HasRoCompat(Ext4Features.RoCompatDirNlink))
            {
                throw new GuestFileSystemException(FsError.TooManyLinks, path, "too many subdirectories");
            }

            dir.LinksCount = 1;
            return;
        }

        dir.LinksCount++;
    }

    private void DecrementDirLinks(Ext4Inode dir)
    {
        if (dir.LinksCount > 2)
        {
            dir.LinksCount--;
            return;
        }

        if (dir.LinksCount == 1)
        {
            // Overflowed count (dir_nlink): recount the subdirectories; the caller already removed the entry.
            var count = 2 + _dirs.Enumerate(dir).Count(e => e.Name is not ("." or "..") && IsSubdirectory(e));
            dir.LinksCount = count > LinkMax ? (ushort)1 : (ushort)count;
        }
    }

    /// <summary>
    /// Before a directory's link count is changed: it must be 2 + its subdirectories, or 1 (dir_nlink: overflowed).
    /// A wrong count (say 65000 for three subdirectories) is corrupt; adjusting it would leave e2fsck a new problem.
    /// </summary>
    private void RequireTrueDirLinks(Ext4Inode dir, string path)
    {
        if (dir.LinksCount == 1)
        {
            return;
        }

        var expected = 2 + _dirs.Enumerate(dir).Count(e => e.Name is not ("." or "..") && IsSubdirectory(e));
        if (dir.LinksCount != expected)
        {
            throw new InvalidImageException(
                $"ext4: directory inode {dir.Number} has link count {dir.LinksCount} but {expected - 2} subdirectories (changing {PosixPath.Abbreviate(path)})");
        }
    }

    private bool IsSubdirectory(RawDirEntry e) =>
        _ctx.Sb.HasIncompat(Ext4Features.IncompatFileType) ? e.FileType == 2 : _ctx.Inodes.Read(e.Inode).Kind == FileKind.Directory;

    private void RequireAbsent(Ext4Inode parent, string name, string path)
    {
        if (name is "." or ".." || _dirs.Find(parent, name) is not null)
        {
            throw new GuestFileSystemException(FsError.AlreadyExists, path, "file exists");
        }
    }

    /// <summary>Refuses to move a directory into itself or below itself (walks '..' up to the root).</summary>
    private void RequireNotInside(uint moving, Ext4Inode destination, string path)
    {
        var current = destination;
        for (var steps = 0; steps < MaxTreeDepth; steps++)
        {
            if (current.Number == moving)
            {
                throw new GuestFileSystemException(FsError.InvalidPath, path, "cannot move a directory into itself");
            }

            if (current.Number == RootInode)
            {
                return;
            }

            var up = _dirs.Find(current, "..") ?? throw new InvalidImageException($"ext4: directory inode {current.Number} has no '..' entry");
            current = _ctx.Inodes.Read(up.Inode);
        }

        throw new InvalidImageException($"ext4: '..' chain from inode {destination.Number} does not reach the root");
    }
}
