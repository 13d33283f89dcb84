using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

public sealed partial class HostDirectoryOverlay
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0xfff;

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var normalized = CanonicalForChange(path, FsError.IsADirectory);
        var found = Find(normalized);
        if (found.Status is null)
        {
            RequireCreatable(normalized);
            Touch(normalized);
            nodes[normalized] = OverlayNode.File(NewInode(), content.ToArray(), mode & PermissionBits, uid, gid, Now());
            return;
        }

        RequireKind(found, normalized, FileKind.Regular);
        var node = CopyUp(normalized, found, readContent: false);
        node.Content = content.ToArray();
        Touched(node);
    }

    public void Append(string path, ReadOnlySpan<byte> content)
    {
        var normalized = CanonicalForChange(path, FsError.IsADirectory);
        var found = Find(normalized);
        RequireKind(found, normalized, FileKind.Regular);
        var node = CopyUp(normalized, found, readContent: true);
        node.Content = [.. node.Content, .. content];
        Touched(node);
    }

    public void Truncate(string path, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var normalized = CanonicalForChange(path, FsError.IsADirectory);
        var found = Find(normalized);
        RequireKind(found, normalized, FileKind.Regular);
        if (length > MaxCopyUpBytes)
        {
            throw new UnsupportedFeatureException($"hostdir: cannot extend {normalized} to {length} bytes in memory");
        }

        var node = CopyUp(normalized, found, readContent: length > 0);
        var resized = new byte[length];
        node.Content.AsSpan(0, (int)Math.Min(length, node.Content.Length)).CopyTo(resized);
        node.Content = resized;
        Touched(node);
    }

    public void Delete(string path)
    {
        var normalized = CanonicalForChange(path, FsError.IsADirectory);
        var found = Find(normalized);
        var status = found.Status ?? throw Error(FsError.NotFound, normalized, "no such file");
        if (status.Kind == FileKind.Directory)
        {
            throw Error(FsError.IsADirectory, normalized, "is a directory");
        }

        Remove(normalized, found);
    }

    public void RemoveDirectory(string path)
    {
        var normalized = CanonicalForChange(path, FsError.InvalidPath);
        var found = Find(normalized);
        var status = found.Status ?? throw Error(FsError.NotFound, normalized, "no such directory");
        if (status.Kind != FileKind.Directory)
        {
            throw Error(FsError.NotADirectory, normalized, "is not a directory");
        }

        if (ReadDirectory(normalized).Count > 0)
        {
            throw Error(FsError.DirectoryNotEmpty, normalized, "directory not empty");
        }

        Remove(normalized, found);
    }

    public void DeleteTree(string path)
    {
        var normalized = CanonicalForChange(path, FsError.InvalidPath);
        var found = Find(normalized);
        var status = found.Status ?? throw Error(FsError.NotFound, normalized, "no such directory");
        if (status.Kind != FileKind.Directory)
        {
            throw Error(FsError.NotADirectory, normalized, "is not a directory");
        }

        Remove(normalized, found);
    }

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var normalized = CanonicalForChange(path, FsError.AlreadyExists);
        if (Find(normalized).Status is not null)
        {
            throw Error(FsError.AlreadyExists, normalized, "already exists");
        }

        RequireCreatable(normalized);
        Touch(normalized);
        nodes[normalized] = OverlayNode.Directory(NewInode(), mode & PermissionBits, uid, gid, Now());
    }

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        var normalized = CanonicalForChange(path, FsError.AlreadyExists);
        if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(FsError.InvalidPath, normalized, "symlink target is empty or contains NUL");
        }

        if (Find(normalized).Status is not null)
        {
            throw Error(FsError.AlreadyExists, normalized, "already exists");
        }

        RequireCreatable(normalized);
        Touch(normalized);
        nodes[normalized] = OverlayNode.Symlink(NewInode(), target, uid, gid, Now());
    }

    public void CreateHardLink(string existingPath, string newPath) =>
        throw new UnsupportedFeatureException($"hostdir: creating hard links in a --dir tree is not supported ({existingPath} -> {newPath})");

    public void Rename(string sourcePath, string destinationPath)
    {
        var source = CanonicalForChange(sourcePath, FsError.InvalidPath);
        var destination = CanonicalForChange(destinationPath, FsError.InvalidPath);
        var found = Find(source);
        var status = found.Status ?? throw Error(FsError.NotFound, source, "no such file");
        if (status.Kind == FileKind.Directory)
        {
            throw new UnsupportedFeatureException($"hostdir: renaming a directory in a --dir tree is not supported ({source} -> {destination})");
        }

        if (source == destination)
        {
            return;
        }

        var target = Find(destination);
        if (target.Status is { Kind: FileKind.Directory })
        {
            throw Error(FsError.IsADirectory, destination, "is a directory");
        }

        if (target.Status is null)
        {
            RequireCreatable(destination);
        }

        var moved = CopyUp(source, found, readContent: true).CopyAs(NewInode());
        Remove(source, Find(source));
        if (target.Status is not null)
        {
            RequireTreeChangeAllowed(destination, target);
        }

        Touch(destination);
        nodes[destination] = moved;
    }

    public void SetMode(string path, UnixFileMode mode)
    {
        var normalized = Canonical(path);
        var found = Find(normalized);
        if (found.Status is { Kind: FileKind.Symlink })
        {
            throw new UnsupportedFeatureException($"hostdir: cannot change the mode of a symbolic link: {normalized}");
        }

        var node = MetadataNode(normalized, found);
        node.Mode = mode & PermissionBits;
        node.ChangeTime = Now();
    }

    public void SetOwner(string path, int uid, int gid)
    {
        var normalized = Canonical(path);
        var node = MetadataNode(normalized, Find(normalized));
        node.Uid = uid;
        node.Gid = gid;
        node.ChangeTime = Now();
    }

    public void SetTimes(string path, long accessTime, long modifiedTime)
    {
        var normalized = Canonical(path);
        var node = MetadataNode(normalized, Find(normalized));
        node.AccessTime = accessTime;
        node.ModifiedTime = modifiedTime;
        node.TimesSet = true;
        node.ChangeTime = Now();
    }

    /// <summary>The node that takes a metadata change: the overlay's own, a metadata-only node for a directory of the
    /// tree, or a copy of a file or symlink of the tree (which Apply writes as a new inode, never in place).</summary>
    private OverlayNode MetadataNode(string path, Located found)
    {
        var status = found.Status ?? throw Error(FsError.NotFound, path, "no such file");
        if (found.Node is not null)
        {
            return found.Node;
        }

        RequireTreeChangeAllowed(path, found);
        if (status.Kind == FileKind.Directory)
        {
            Touch(path);
            var node = OverlayNode.TreeDirectory(status);
            nodes[path] = node;
            return node;
        }

        return CopyUp(path, found, readContent: true);
    }

    /// <summary>The node to change for a regular file or symlink: the overlay's own, or a new one holding the tree's
    /// mode, owner and (when <paramref name="readContent"/>) content.</summary>
    private OverlayNode CopyUp(string path, Located found, bool readContent)
    {
        if (found.Node is { IsWhiteout: false, MetadataOnly: false } own)
        {
            return own;
        }

        var status = found.Status ?? throw Error(FsError.NotFound, path, "no such file");
        RequireTreeChangeAllowed(path, found);
        OverlayNode node;
        switch (status.Kind)
        {
            case FileKind.Regular:
                node = OverlayNode.File(NewInode(), readContent ? ReadTreeFile(path, status) : [], status.Mode, status.Uid, status.Gid, Now());
                break;
            case FileKind.Symlink:
                node = OverlayNode.Symlink(NewInode(), tree.ReadLink(path), status.Uid, status.Gid, Now());
                break;
            default:
                throw new UnsupportedFeatureException($"hostdir: cannot change {path}: it is a {status.Kind} in the tree");
        }

        Touch(path);
        nodes[path] = node;
        return node;
    }

    private byte[] ReadTreeFile(string path, FileStatus status)
    {
        if (status.Size > MaxCopyUpBytes)
        {
            throw new UnsupportedFeatureException($"hostdir: {path} is larger than {MaxCopyUpBytes} bytes; cannot change it in memory");
        }

        using var stream = tree.OpenRead(path);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > MaxCopyUpBytes)
            {
                throw new UnsupportedFeatureException($"hostdir: {path} grew beyond {MaxCopyUpBytes} bytes while being read");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Removes a path from the view: a directory with everything below it, or a non-directory.</summary>
    private void Remove(string path, Located found)
    {
        if (found.Node is null or { MetadataOnly: true })
        {
            RequireTreeChangeAllowed(path, found);
            var below = found.Status!.Value.Kind == FileKind.Directory ? SnapshotTree(path) : null;
            var existing = baseRecords.GetValueOrDefault(path);
            baseRecords[path] = new BaseRecord(existing?.Stat ?? tree.TryStatHost(path), AncestorOnly: false, below);
            RecordAncestors(path);
        }

        foreach (var key in nodes.Keys.Where(k => IsBelow(k, path)).ToList())
        {
            nodes.Remove(key);
        }

        if (baseRecords.GetValueOrDefault(path) is { AncestorOnly: false, Stat: not null })
        {
            nodes[path] = OverlayNode.Whiteout();
        }
        else
        {
            nodes.Remove(path);
        }
    }

    /// <summary>Everything below a directory of the tree, each with its lstat, parents first. A mount point inside
    /// fails with CrossDevice before anything is recorded.</summary>
    private List<(string Path, HostStat Stat)> SnapshotTree(string directory)
    {
        var result = new List<(string, HostStat)>();
        Snapshot(directory, 0, result);
        return result;
    }

    private void Snapshot(string directory, int depth, List<(string, HostStat)> result)
    {
        if (depth > 2048)
        {
            throw Error(FsError.InvalidPath, directory, "directory tree too deep");
        }

        foreach (var entry in tree.ReadDirectory(directory))
        {
            var child = PosixPath.Combine(directory, entry.Name);
            var stat = tree.TryStatHost(child);
            if (stat is null)
            {
                continue;
            }

            if (tree.IsOffLimits(stat.Value))
            {
                throw Error(FsError.CrossDevice, child, "is a mount point inside the tree (another file system on the host), not crossed");
            }

            result.Add((child, stat.Value));
            if (stat.Value.Status.Kind == FileKind.Directory)
            {
                Snapshot(child, depth + 1, result);
            }
        }
    }

    /// <summary>Records what the tree holds at a path the overlay is about to change, the first time only.</summary>
    private void Touch(string path)
    {
        if (!TreeVisible(path))
        {
            return;
        }

        if (!baseRecords.TryGetValue(path, out var record) || record.AncestorOnly)
        {
            baseRecords[path] = new BaseRecord(tree.TryStatHost(path), AncestorOnly: false, record?.Below);
        }

        RecordAncestors(path);
    }

    private void RecordAncestors(string path)
    {
        for (var probe = PosixPath.GetDirectoryName(path); TreeVisible(probe) || probe == "/"; probe = PosixPath.GetDirectoryName(probe))
        {
            if (!baseRecords.ContainsKey(probe))
            {
                baseRecords[probe] = new BaseRecord(tree.TryStatHost(probe), AncestorOnly: true, null);
            }

            if (probe == "/")
            {
                return;
            }
        }
    }

    /// <summary>A new entry needs its parent to be a directory in the view, on the tree's own mount.</summary>
    private void RequireCreatable(string path)
    {
        var parent = PosixPath.GetDirectoryName(path);
        var found = Find(parent);
        var status = found.Status ?? throw Error(FsError.NotFound, path, $"no such directory {parent}");
        if (status.Kind != FileKind.Directory)
        {
            throw Error(FsError.NotADirectory, path, $"{parent} is not a directory");
        }

        if (found.Node is null or { MetadataOnly: true })
        {
            tree.RequireSameFileSystem(parent);
        }
    }

    /// <summary>Changing something of the tree: refused on another mount (unless the tree crosses mounts).</summary>
    private void RequireTreeChangeAllowed(string path, Located found)
    {
        if (found.Node is null or { MetadataOnly: true })
        {
            tree.RequireSameFileSystem(path);
        }
    }

    private string CanonicalForChange(string path, FsError onRoot)
    {
        var normalized = Canonical(path);
        return normalized == "/" ? throw Error(onRoot, path, "not allowed on the root directory") : normalized;
    }

    private static void Touched(OverlayNode node)
    {
        var now = Now();
        node.ModifiedTime = now;
        node.ChangeTime = now;
        node.TimesSet = false;
    }

    private long NewInode() => nextInode++;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static bool IsBelow(string path, string directory) =>
        path.Length > directory.Length && path.StartsWith(directory, StringComparison.Ordinal)
        && (directory == "/" || path[directory.Length] == '/');
}
