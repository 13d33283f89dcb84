using Sealer.Core.FileSystems;

namespace Sealer.Operations;

public sealed partial class GuestFiles
{
    /// <summary>Unlinks a non-directory (file, symlink, device...). False when absent or a directory.</summary>
    public bool DeleteIfExists(string path)
    {
        var status = Stat(path);
        if (status is null || status.Value.Kind == FileKind.Directory)
        {
            return false;
        }

        if (!TryChange(path, creates: false, () => _fs.Delete(path)))
        {
            return false;
        }

        Record(path, SealActionKind.Deleted, status.Value.Kind == FileKind.Regular ? status.Value.Size : 0);
        return true;
    }

    /// <summary>Truncates a regular file to zero bytes. False when absent, not regular (a fifo, socket or device node
    /// is reported as a warning), or already empty.</summary>
    public bool TruncateIfExists(string path)
    {
        var status = Stat(path);
        if (WarnIfSpecial(path, status) || status is not { Kind: FileKind.Regular } || status.Value.Size == 0)
        {
            return false;
        }

        if (!TryChange(path, creates: false, () => _fs.Truncate(path, 0)))
        {
            return false;
        }

        Record(path, SealActionKind.Truncated, status.Value.Size);
        return true;
    }

    /// <summary>rm -rf of one path: a directory with everything below it, or a single non-directory.</summary>
    public bool DeleteTree(string path)
    {
        var status = Stat(path);
        if (status is null)
        {
            return false;
        }

        if (status.Value.Kind != FileKind.Directory)
        {
            return DeleteIfExists(path);
        }

        var bytes = Walk(path).Where(e => e.Entry.Kind == FileKind.Regular).Sum(e => Stat(e.Path)?.Size ?? 0);
        if (!TryChange(path, creates: false, () => _fs.DeleteTree(path)))
        {
            // A mount point somewhere below (rm --one-file-system): remove what is around it, keep the directories
            // that lead to it. Every entry is tried on its own, so each mount point is reported once, by name.
            var removed = false;
            foreach (var entry in ListDirectory(path))
            {
                removed |= DeleteTree(PosixPath.Combine(path, entry.Name));
            }

            return removed;
        }

        Record(path, SealActionKind.DeletedTree, bytes);
        return true;
    }

    /// <summary>rm -rf of every match of a shell pattern; returns how many matches were removed.</summary>
    public int DeleteGlob(string pattern)
    {
        var count = 0;
        foreach (var path in Glob(pattern))
        {
            count += DeleteTree(path) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Removes everything inside a directory (dotfiles too) and keeps the directory itself.</summary>
    public int DeleteDirectoryContents(string directory, Func<DirectoryEntry, bool>? keep = null)
    {
        var count = 0;
        foreach (var entry in ListDirectory(directory))
        {
            if (keep is null || !keep(entry))
            {
                count += DeleteTree(PosixPath.Combine(directory, entry.Name)) ? 1 : 0;
            }
        }

        return count;
    }

    /// <summary>Removes every regular file (and symlink) below a directory, keeping the directory structure.</summary>
    public int DeleteFilesBelow(string directory, Func<string, bool>? keep = null)
    {
        var victims = Walk(directory)
            .Where(e => e.Entry.Kind != FileKind.Directory && (keep is null || !keep(e.Path)))
            .Select(e => e.Path)
            .ToList();
        return victims.Count(DeleteIfExists);
    }

    /// <summary>mkdir -p; records each directory it creates. False (with a warning) when it cannot be made, e.g.
    /// because a component is a symlink that does not resolve in the guest (a dangling /etc/systemd).</summary>
    public bool EnsureDirectory(string path, UnixFileMode mode)
    {
        var current = "/";
        foreach (var part in PosixPath.Split(PosixPath.Normalize(path)))
        {
            current = PosixPath.Combine(current, part);
            if (Stat(current) is null)
            {
                var directory = current;
                if (!TryChange(directory, creates: true, () => _fs.CreateDirectory(directory, mode)))
                {
                    return false;
                }

                Record(current, SealActionKind.DirectoryCreated, 0);
            }
        }

        return true;
    }

    /// <summary>Creates (or repoints) a symlink; nothing happens when it already points at <paramref name="target"/>.
    /// False when <paramref name="path"/> exists and is not a symlink.</summary>
    public bool CreateSymlink(string path, string target)
    {
        var status = Stat(path);
        if (status is not null)
        {
            if (status.Value.Kind != FileKind.Symlink)
            {
                return false;
            }

            if (_fs.ReadLink(path) == target)
            {
                return true;
            }

            if (!TryChange(path, creates: false, () => _fs.Delete(path)))
            {
                return false;
            }
        }

        if (!TryChange(path, creates: true, () => _fs.CreateSymbolicLink(path, target)))
        {
            return false;
        }

        Record(path, SealActionKind.SymlinkCreated, target.Length);
        return true;
    }
}
