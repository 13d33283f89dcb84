using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Operations;

/// <summary>
/// The guest root seen by one operation: intent-level helpers over an <see cref="IFileSystem"/> that record every
/// mutation as a <see cref="SealAction"/>. A missing file (or an unreachable parent) is never an error. Dry runs use the
/// same code over an in-memory overlay, so the recorded actions are the plan. Queries never follow a symlink in the
/// last component except for reading text; mutations act on the link itself.
/// </summary>
public sealed partial class GuestFiles
{
    /// <summary>Directory depth limit for walks: a corrupt guest must not send us into unbounded recursion.</summary>
    internal const int MaxDepth = 512;

    private readonly IFileSystem _fs;
    private readonly List<SealAction> _actions = [];
    private readonly List<string> _warnings = [];

    public GuestFiles(IFileSystem fileSystem, string operationName)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        _fs = fileSystem;
        OperationName = operationName;
    }

    public string OperationName { get; }

    /// <summary>Changes made through this facade, in order.</summary>
    public IReadOnlyList<SealAction> Actions => _actions;

    /// <summary>What was left alone and why (a fifo where a file was expected, a mount point not crossed...), one line
    /// each, in order, without repeats. The runner adds them to the operation's warnings.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>lstat, or null when the path (or a parent) does not exist or is not a directory, or lies on a file
    /// system mounted inside a --dir tree (reported as skipped).</summary>
    public FileStatus? Stat(string path)
    {
        try
        {
            return _fs.TryStat(path);
        }
        catch (GuestFileSystemException e) when (IsAbsence(e))
        {
            return null;
        }
        catch (GuestFileSystemException e) when (e.Code == FsError.CrossDevice)
        {
            WarnNotCrossed(e);
            return null;
        }
    }

    public bool Exists(string path) => Stat(path) is not null;

    public bool IsRegularFile(string path) => Stat(path)?.Kind == FileKind.Regular;

    public bool IsDirectory(string path) => Stat(path)?.Kind == FileKind.Directory;

    public bool IsSymlink(string path) => Stat(path)?.Kind == FileKind.Symlink;

    /// <summary>Target of a symlink, or null when <paramref name="path"/> is not one.</summary>
    public string? ReadLink(string path) => IsSymlink(path) ? _fs.ReadLink(path) : null;

    /// <summary>Entries of a directory sorted by name; empty when it does not exist or is not a directory.</summary>
    public IReadOnlyList<DirectoryEntry> ListDirectory(string path)
    {
        try
        {
            var entries = _fs.ReadDirectory(path).ToList();
            entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return entries;
        }
        catch (GuestFileSystemException e) when (IsAbsence(e))
        {
            return [];
        }
        catch (GuestFileSystemException e) when (e.Code == FsError.CrossDevice)
        {
            WarnNotCrossed(e);
            return [];
        }
    }

    /// <summary>Existing paths matching a shell pattern ('*', '?', '[..]' per component), sorted.</summary>
    public IReadOnlyList<string> Glob(string pattern)
    {
        var results = new List<string>();
        Expand("/", PosixPath.Split(pattern), 0, results);
        results.Sort(string.CompareOrdinal);
        return results;
    }

    /// <summary>Every entry below <paramref name="root"/> (not the root itself), parents before children, never
    /// descending into symlinks.
    /// A directory reached twice (hard-linked directories, or an entry leading back to an ancestor: a corrupt file
    /// system) refuses the walk at once with a one-line <see cref="InvalidImageException"/>.</summary>
    public IEnumerable<(string Path, DirectoryEntry Entry)> Walk(string root)
    {
        var visited = new HashSet<(long Device, long Inode)>();
        if (Stat(root) is { Kind: FileKind.Directory } status)
        {
            Visit(visited, root, status);
        }

        return Walk(root, 0, visited);
    }

    private IEnumerable<(string Path, DirectoryEntry Entry)> Walk(string directory, int depth, HashSet<(long Device, long Inode)> visited)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidImageException($"guest: directory tree deeper than {MaxDepth} levels at {PosixPath.Abbreviate(directory)}");
        }

        foreach (var entry in ListDirectory(directory))
        {
            var path = PosixPath.Combine(directory, entry.Name);
            yield return (path, entry);
            if (entry.Kind == FileKind.Directory)
            {
                if (Stat(path) is not { Kind: FileKind.Directory } status)
                {
                    continue;
                }

                Visit(visited, path, status);
                foreach (var child in Walk(path, depth + 1, visited))
                {
                    yield return child;
                }
            }
        }
    }

    private static void Visit(HashSet<(long Device, long Inode)> visited, string path, FileStatus status)
    {
        // Inode 0: the file system gives no identity; depth stays the only bound.
        if (status.Inode != 0 && !visited.Add((status.Device, status.Inode)))
        {
            throw new InvalidImageException(
                $"guest: directory loop: {PosixPath.Abbreviate(path)} is directory inode {status.Inode}, already visited (hard-linked directory)");
        }
    }

    private void Expand(string directory, string[] components, int index, List<string> results)
    {
        if (index == components.Length)
        {
            if (Exists(directory))
            {
                results.Add(directory);
            }

            return;
        }

        var component = components[index];
        if (!GlobPattern.HasWildcards(component))
        {
            Expand(PosixPath.Combine(directory, component), components, index + 1, results);
            return;
        }

        var last = index == components.Length - 1;
        foreach (var entry in ListDirectory(directory))
        {
            // Wildcard matches only descend into real directories, never through a symlink the guest controls.
            if (GlobPattern.IsMatch(component, entry.Name) && (last || entry.Kind == FileKind.Directory))
            {
                Expand(PosixPath.Combine(directory, entry.Name), components, index + 1, results);
            }
        }
    }

    private void Record(string path, SealActionKind kind, long size) => _actions.Add(new SealAction(OperationName, path, kind, size));

    private void Warn(string message)
    {
        if (!_warnings.Contains(message))
        {
            _warnings.Add(message);
        }
    }

    private void WarnNotCrossed(GuestFileSystemException e) =>
        Warn($"skipped {e.Path}: a mount point inside the tree (another file system on the host) is not crossed; --cross-mounts crosses it");

    /// <summary>A fifo, socket or device node where a regular file was expected is reported, and never opened.</summary>
    private bool WarnIfSpecial(string path, FileStatus? status)
    {
        var kind = status?.Kind switch
        {
            FileKind.Fifo => "a fifo",
            FileKind.Socket => "a socket",
            FileKind.CharacterDevice => "a character device",
            FileKind.BlockDevice => "a block device",
            FileKind.Unknown => "of an unknown type",
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        Warn($"{path} is {kind}, not a regular file: left alone (never opened)");
        return true;
    }

    /// <summary>Runs one change of the guest. A change that would reach a mount point inside a --dir tree is skipped
    /// with a warning; so is creating something whose parent directory is missing (for example a dangling symlink).</summary>
    private bool TryChange(string path, bool creates, Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (GuestFileSystemException e) when (e.Code == FsError.CrossDevice)
        {
            WarnNotCrossed(e);
            return false;
        }
        catch (GuestFileSystemException e) when (creates && IsAbsence(e))
        {
            Warn($"cannot create {path}: a directory on its path is missing, or is a symbolic link that does not resolve in the guest; skipped");
            return false;
        }
    }

    private static bool IsAbsence(GuestFileSystemException e) =>
        e.Code is FsError.NotFound or FsError.NotADirectory or FsError.SymlinkLoop;
}
