using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

public sealed partial class HostDirectoryOverlay
{
    /// <summary>
    /// Writes the recorded changes to the tree. First every path the changes touch is checked to be still what was
    /// read (same inode, size and mtime; for a removed directory, the same entries below it; for the directories on
    /// the way, the same inodes); if anything differs nothing is written and <see cref="ImageBusyException"/> says what.
    /// Then, parents first: a file's new content goes to a temporary file in its directory, is synced and renamed over
    /// the old name (a new inode: a hard link to the old file, maybe outside the tree, keeps the old content); a symlink
    /// is made under a temporary name and renamed into place; removals unlink (bottom-up for a directory); each
    /// directory that changed is synced. A kill part-way leaves some changes applied and others not, each file whole
    /// (old or new content), and at most one temporary <c>.NAME.sealer-PID-*</c> file; running the seal again finishes it.
    /// </summary>
    public void Apply()
    {
        if (nodes.Count == 0)
        {
            return;
        }

        using var host = tree.OpenWritable();
        Verify(host);
        var directoryTimes = new List<(string Path, OverlayNode Node)>();
        var changedDirectories = new SortedSet<string>(StringComparer.Ordinal);
        var paths = ChangedPaths;
        var applied = 0;
        try
        {
            foreach (var path in paths)
            {
                var node = nodes[path];
                var old = baseRecords.GetValueOrDefault(path) is { AncestorOnly: false } record ? record.Stat : null;
                ApplyOne(host, path, node, old);
                applied++;
                changedDirectories.Add(PosixPath.GetDirectoryName(path));
                if (node is { Kind: FileKind.Directory, TimesSet: true, IsWhiteout: false })
                {
                    directoryTimes.Add((path, node));
                }
            }

            // A directory's mtime moves whenever an entry is added below it: the times it was given are set last, deepest first.
            foreach (var (path, node) in Enumerable.Reverse(directoryTimes))
            {
                host.SetTimes(path, node.AccessTime, node.ModifiedTime);
            }

            foreach (var directory in changedDirectories)
            {
                if (host.TryStat(directory) is { Kind: FileKind.Directory })
                {
                    host.SyncDirectory(directory);
                }
            }
        }
        catch (SealerException e)
        {
            // The host refused a write (no space, permissions...) after the tree was verified: say how far it got.
            throw new ImageBusyException(
                $"hostdir: writing the changes to {tree.HostDirectory} failed after {applied} of {paths.Count} paths: {e.Message}; " +
                "the tree is partly sealed (each file whole, old or new); fix the cause and run the seal again", e);
        }

        nodes.Clear();
        baseRecords.Clear();
    }

    private void Verify(HostDirectoryFileSystem host)
    {
        foreach (var (path, record) in baseRecords.OrderBy(r => Depth(r.Key)).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            HostStat? now;
            try
            {
                now = host.TryStatHost(path);
            }
            catch (GuestFileSystemException)
            {
                // NotADirectory on the way and the like: the tree was reshaped since it was read.
                now = null;
            }

            var same = record switch
            {
                { AncestorOnly: true } => now is { } n && record.Stat is { } s && n.Device == s.Device && n.Status.Inode == s.Status.Inode && n.Status.Kind == s.Status.Kind,
                { Stat: null } => now is null,
                _ => now is { } n2 && n2.SameContent(record.Stat.Value) && (record.Below is null || SameBelow(host, path, record.Below)),
            };
            if (!same)
            {
                throw new ImageBusyException(
                    $"hostdir: {path} in {tree.HostDirectory} changed on the host since it was read (inode, size, mtime or entries differ); nothing was written");
            }
        }
    }

    private static bool SameBelow(HostDirectoryFileSystem host, string directory, IReadOnlyList<(string Path, HostStat Stat)> expected)
    {
        var now = new List<(string Path, HostStat Stat)>();
        try
        {
            Collect(host, directory, 0, now);
        }
        catch (GuestFileSystemException)
        {
            return false;
        }

        if (now.Count != expected.Count)
        {
            return false;
        }

        var byPath = expected.ToDictionary(e => e.Path, e => e.Stat, StringComparer.Ordinal);
        return now.All(e => byPath.TryGetValue(e.Path, out var stat) && stat.SameContent(e.Stat));
    }

    private static void Collect(HostDirectoryFileSystem host, string directory, int depth, List<(string, HostStat)> result)
    {
        if (depth > 2048)
        {
            throw HostErrors.Error(FsError.InvalidPath, directory, "directory tree too deep");
        }

        foreach (var entry in host.ReadDirectory(directory))
        {
            var child = PosixPath.Combine(directory, entry.Name);
            if (host.TryStatHost(child) is not { } stat)
            {
                continue;
            }

            result.Add((child, stat));
            if (stat.Status.Kind == FileKind.Directory)
            {
                Collect(host, child, depth + 1, result);
            }
        }
    }

    private static void ApplyOne(HostDirectoryFileSystem host, string path, OverlayNode node, HostStat? old)
    {
        if (node.MetadataOnly)
        {
            if (node.Mode != node.BaseStatus.Mode)
            {
                host.SetMode(path, node.Mode);
            }

            if (node.Uid != node.BaseStatus.Uid || node.Gid != node.BaseStatus.Gid)
            {
                host.SetOwner(path, node.Uid, node.Gid);
            }

            return;
        }

        var oldKind = old?.Status.Kind;
        if (node.IsWhiteout || oldKind == FileKind.Directory || (node.Kind == FileKind.Directory && oldKind is not null))
        {
            // rename(2) cannot replace a directory, and a new directory cannot replace anything.
            RemoveOld(host, path, oldKind);
        }

        switch (node.Kind)
        {
            case FileKind.Regular when !node.IsWhiteout:
                host.ReplaceFile(path, node.Content, node.Mode, node.Uid, node.Gid, node.TimesSet ? (node.AccessTime, node.ModifiedTime) : null);
                break;
            case FileKind.Directory when !node.IsWhiteout:
                host.CreateDirectory(path, node.Mode, node.Uid, node.Gid);
                break;
            case FileKind.Symlink when !node.IsWhiteout:
                var temporary = PosixPath.Combine(PosixPath.GetDirectoryName(path), $".sealer-link-{Environment.ProcessId}-{Guid.NewGuid():N}");
                host.CreateSymbolicLink(temporary, node.LinkTarget, node.Uid, node.Gid);
                try
                {
                    if (node.TimesSet)
                    {
                        host.SetTimes(temporary, node.AccessTime, node.ModifiedTime);
                    }

                    host.Rename(temporary, path);
                }
                catch
                {
                    host.Delete(temporary);
                    throw;
                }

                break;
        }
    }

    private static void RemoveOld(HostDirectoryFileSystem host, string path, FileKind? kind)
    {
        switch (kind)
        {
            case null:
                return;
            case FileKind.Directory:
                host.DeleteTree(path);
                return;
            default:
                host.Delete(path);
                return;
        }
    }
}
