using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

/// <summary>
/// The copy-on-write view of a host directory tree (<c>--dir</c>), as CopyOnWriteBlockDevice is for an image: reads go
/// to the tree opened read-only, every change is kept in memory and seen by later reads, and nothing reaches the host
/// until <see cref="Apply"/>. A dry run, <c>check</c>, <c>inspect</c> and a failed run simply never call it.
/// The view keeps the tree's rules: no symlink is followed, '..' stays inside, and (unless the tree crosses mounts)
/// nothing on another mount is reached or changed. Creating hard links and renaming directories are not supported
/// (no operation needs them) and are refused by name.
/// </summary>
public sealed partial class HostDirectoryOverlay : IFileSystem
{
    /// <summary>Largest file whose old content is copied into memory to append to it or change its metadata.</summary>
    internal const long MaxCopyUpBytes = 256L * 1024 * 1024;

    private readonly HostDirectoryFileSystem tree;

    /// <summary>Final state of every changed path (normalised guest path); its ancestors are directories in the view.</summary>
    private readonly Dictionary<string, OverlayNode> nodes = new(StringComparer.Ordinal);

    /// <summary>What the tree held at each path when the overlay first changed it (or a directory below it), checked before Apply.</summary>
    private readonly Dictionary<string, BaseRecord> baseRecords = new(StringComparer.Ordinal);

    private long nextInode = 1L << 56;

    /// <param name="tree">The tree, opened read-only; the overlay owns it from now on.</param>
    public HostDirectoryOverlay(HostDirectoryFileSystem tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        if (tree.CanWrite)
        {
            throw new ArgumentException("the overlay's tree must be opened read-only", nameof(tree));
        }

        this.tree = tree;
    }

    public string TypeName => tree.TypeName;

    public FileSystemIdentity Identity => tree.Identity;

    public bool CanWrite => true;

    /// <summary>The host directory the view shows.</summary>
    public string HostDirectory => tree.HostDirectory;

    /// <summary>True when something would be applied.</summary>
    public bool HasChanges => nodes.Count > 0;

    /// <summary>The changed paths, parents first (for tests and diagnostics).</summary>
    public IReadOnlyList<string> ChangedPaths => nodes.Keys.OrderBy(Depth).ThenBy(k => k, StringComparer.Ordinal).ToList();

    public FileStatus? TryStat(string path)
    {
        try
        {
            return Find(Canonical(path)).Status;
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound)
        {
            return null;
        }
    }

    public IReadOnlyList<DirectoryEntry> ReadDirectory(string path)
    {
        var normalized = Canonical(path);
        var found = Find(normalized);
        var status = found.Status ?? throw Error(FsError.NotFound, normalized, "no such directory");
        if (status.Kind != FileKind.Directory)
        {
            throw Error(FsError.NotADirectory, normalized, "is not a directory");
        }

        var entries = new Dictionary<string, DirectoryEntry>(StringComparer.Ordinal);
        if (found.Node is null or { MetadataOnly: true })
        {
            foreach (var entry in tree.ReadDirectory(normalized))
            {
                entries[entry.Name] = entry;
            }
        }

        foreach (var (key, node) in nodes)
        {
            if (key == "/" || PosixPath.GetDirectoryName(key) != normalized)
            {
                continue;
            }

            var name = PosixPath.GetFileName(key);
            if (node.IsWhiteout)
            {
                entries.Remove(name);
            }
            else
            {
                entries[name] = new DirectoryEntry(name, node.Kind, node.Inode);
            }
        }

        return entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public Stream OpenRead(string path)
    {
        var normalized = Canonical(path);
        var found = Find(normalized);
        if (found.Node is null)
        {
            // The tree checks the kind before it opens anything: a fifo or device node is never opened.
            return tree.OpenRead(normalized);
        }

        RequireKind(found, normalized, FileKind.Regular);
        return new MemoryStream(found.Node.Content, writable: false);
    }

    public string ReadLink(string path)
    {
        var normalized = Canonical(path);
        var found = Find(normalized);
        if (found.Node is null)
        {
            return tree.ReadLink(normalized);
        }

        if (found.Status is null)
        {
            throw Error(FsError.NotFound, normalized, "no such file");
        }

        return found.Node.Kind == FileKind.Symlink && !found.Node.MetadataOnly
            ? found.Node.LinkTarget
            : throw Error(FsError.InvalidPath, normalized, "not a symbolic link");
    }

    public void Flush()
    {
    }

    public void Dispose() => tree.Dispose();

    /// <summary>
    /// The entry at a normalised path: from the deepest changed path at or above it, or from the tree when nothing
    /// there changed. Throws NotFound when a directory on the way is missing, NotADirectory when it is not a directory.
    /// </summary>
    private Located Find(string path)
    {
        var probe = path;
        OverlayNode? node;
        while (!nodes.TryGetValue(probe, out node))
        {
            if (probe == "/")
            {
                return new Located(tree.TryStat(path), null);
            }

            probe = PosixPath.GetDirectoryName(probe);
        }

        if (probe == path)
        {
            return node.IsWhiteout ? new Located(null, node) : new Located(node.Status(), node);
        }

        if (node.IsWhiteout)
        {
            throw Error(FsError.NotFound, path, $"no such directory {probe}");
        }

        if (node.Kind != FileKind.Directory)
        {
            throw Error(FsError.NotADirectory, path, $"{probe} is not a directory");
        }

        if (node.MetadataOnly)
        {
            return new Located(tree.TryStat(path), null);
        }

        // A directory made in the overlay: nothing of the tree shows below it.
        return PosixPath.GetDirectoryName(path) == probe
            ? new Located(null, OverlayNode.Absent)
            : throw Error(FsError.NotFound, path, $"no such directory {PosixPath.GetDirectoryName(path)}");
    }

    /// <summary>True when the tree shows through at <paramref name="path"/>: no directory made in the overlay lies above it.</summary>
    private bool TreeVisible(string path)
    {
        for (var probe = PosixPath.GetDirectoryName(path); ; probe = PosixPath.GetDirectoryName(probe))
        {
            if (nodes.TryGetValue(probe, out var node) && !node.MetadataOnly)
            {
                return false;
            }

            if (probe == "/")
            {
                return true;
            }
        }
    }

    /// <summary>Normalises a path the way the tree would resolve it: '..' leaves a component only if it is a directory.</summary>
    private string Canonical(string path)
    {
        var parts = PosixPath.Split(path);
        if (!parts.Contains(".."))
        {
            return "/" + string.Join('/', parts);
        }

        var stack = new List<string>();
        foreach (var part in parts)
        {
            if (part != "..")
            {
                stack.Add(part);
                continue;
            }

            if (stack.Count > 0)
            {
                var left = "/" + string.Join('/', stack);
                var status = Find(left).Status ?? throw Error(FsError.NotFound, path, $"no such directory {left}");
                if (status.Kind != FileKind.Directory)
                {
                    throw Error(FsError.NotADirectory, path, $"{left} is not a directory");
                }

                stack.RemoveAt(stack.Count - 1);
            }
        }

        return "/" + string.Join('/', stack);
    }

    private static int Depth(string path) => path == "/" ? 0 : path.Count(c => c == '/');

    private static void RequireKind(Located found, string path, FileKind kind)
    {
        var status = found.Status ?? throw Error(FsError.NotFound, path, "no such file");
        if (status.Kind == kind)
        {
            return;
        }

        throw status.Kind switch
        {
            FileKind.Directory => Error(FsError.IsADirectory, path, "is a directory"),
            FileKind.Symlink => Error(FsError.InvalidPath, path, "is a symbolic link"),
            _ => Error(FsError.InvalidPath, path, $"is not a {kind.ToString().ToLowerInvariant()} file ({status.Kind})"),
        };
    }

    private static GuestFileSystemException Error(FsError code, string path, string message) => HostErrors.Error(code, path, message);

    /// <summary>An entry of the view: its status (null when absent) and the overlay node it comes from (null: the tree).</summary>
    private readonly record struct Located(FileStatus? Status, OverlayNode? Node);

    /// <summary>What the tree held at a path: its lstat (null: nothing); for a removed directory, everything below it.</summary>
    private sealed record BaseRecord(HostStat? Stat, bool AncestorOnly, IReadOnlyList<(string Path, HostStat Stat)>? Below);
}
