using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Operations.Tests.Fakes;

/// <summary>
/// An in-memory IFileSystem for operation tests: absolute paths, directories, regular files, symlinks, modes, owners.
/// Symlinks in intermediate components are followed (re-rooted at '/', 40 hops at most), as the guest view does;
/// the last component is never followed except by reads (ReadDirectory, OpenRead).
/// </summary>
public sealed class InMemoryFileSystem : IFileSystem
{
    private const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode DefaultDirectoryMode = DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly Node _root = Node.Directory(DefaultDirectoryMode, 0, 0, 2);
    private long _nextInode = 3;

    public string TypeName => "memory";

    public FileSystemIdentity Identity { get; } = new("memory", null, null);

    public bool CanWrite => true;

    /// <summary>Every mutating call, as "verb path", in order.</summary>
    public List<string> Mutations { get; } = [];

    // ---- test helpers -------------------------------------------------------------------------------------------

    public InMemoryFileSystem AddFile(string path, string content, UnixFileMode mode = DefaultFileMode, int uid = 0, int gid = 0)
    {
        MakeParents(path);
        var (dir, name) = Parent(path);
        dir.Children![name] = Node.File(Encoding.Latin1.GetBytes(content), mode, uid, gid, _nextInode++);
        return this;
    }

    public InMemoryFileSystem AddDirectory(string path, UnixFileMode mode = DefaultDirectoryMode)
    {
        MakeParents(path + "/x");
        return this;
    }

    public InMemoryFileSystem AddSymlink(string path, string target)
    {
        MakeParents(path);
        var (dir, name) = Parent(path);
        dir.Children![name] = Node.Link(target, _nextInode++);
        return this;
    }

    public string? Text(string path)
    {
        var node = Find(path);
        return node is { Kind: FileKind.Regular } ? Encoding.Latin1.GetString(node.Content) : null;
    }

    public bool Exists(string path) => Find(path) is not null;

    /// <summary>Every path in the tree, sorted, directories included.</summary>
    public IReadOnlyList<string> AllPaths()
    {
        var list = new List<string>();
        Collect(_root, "", list);
        list.Sort(string.CompareOrdinal);
        return list;
    }

    // ---- IFileSystem --------------------------------------------------------------------------------------------

    public FileStatus? TryStat(string path)
    {
        var node = Find(path);
        return node is null ? null : new FileStatus(node.Kind, node.Mode, node.Uid, node.Gid, node.Size, node.Inode, 1, 0, 0, 0);
    }

    public IReadOnlyList<DirectoryEntry> ReadDirectory(string path)
    {
        var node = Follow(path);
        if (node.Kind != FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.NotADirectory, path, "not a directory");
        }

        return node.Children!.Select(c => new DirectoryEntry(c.Key, c.Value.Kind, c.Value.Inode)).ToList();
    }

    public Stream OpenRead(string path)
    {
        var node = Follow(path);
        if (node.Kind != FileKind.Regular)
        {
            throw new GuestFileSystemException(FsError.IsADirectory, path, "not a regular file");
        }

        return new MemoryStream(node.Content.ToArray(), writable: false);
    }

    public string ReadLink(string path) =>
        Existing(path) is { Kind: FileKind.Symlink } link ? link.Target! : throw new GuestFileSystemException(FsError.InvalidPath, path, "not a symlink");

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        Mutations.Add("write " + path);
        var (dir, name) = Parent(path);
        if (dir.Children!.TryGetValue(name, out var existing))
        {
            if (existing.Kind != FileKind.Regular)
            {
                throw new GuestFileSystemException(FsError.InvalidPath, path, "write to a non-regular file");
            }

            existing.Content = content.ToArray();
            return;
        }

        dir.Children[name] = Node.File(content.ToArray(), mode, uid, gid, _nextInode++);
    }

    public void Append(string path, ReadOnlySpan<byte> content)
    {
        Mutations.Add("append " + path);
        var node = Regular(path);
        node.Content = [.. node.Content, .. content.ToArray()];
    }

    public void Truncate(string path, long length)
    {
        Mutations.Add("truncate " + path);
        var node = Regular(path);
        var resized = new byte[length];
        node.Content.AsSpan(0, (int)Math.Min(length, node.Content.Length)).CopyTo(resized);
        node.Content = resized;
    }

    public void Delete(string path)
    {
        Mutations.Add("delete " + path);
        var (dir, name) = Parent(path);
        var node = Existing(path);
        if (node.Kind == FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.IsADirectory, path, "is a directory");
        }

        dir.Children!.Remove(name);
    }

    public void RemoveDirectory(string path)
    {
        Mutations.Add("rmdir " + path);
        var (dir, name) = Parent(path);
        var node = Existing(path);
        if (node.Kind != FileKind.Directory || node.Children!.Count > 0)
        {
            throw new GuestFileSystemException(FsError.DirectoryNotEmpty, path, "not an empty directory");
        }

        dir.Children!.Remove(name);
    }

    public void DeleteTree(string path)
    {
        Mutations.Add("delete-tree " + path);
        var (dir, name) = Parent(path);
        Existing(path);
        dir.Children!.Remove(name);
    }

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        Mutations.Add("mkdir " + path);
        var (dir, name) = Parent(path);
        if (dir.Children!.ContainsKey(name))
        {
            throw new GuestFileSystemException(FsError.AlreadyExists, path, "exists");
        }

        dir.Children[name] = Node.Directory(mode, uid, gid, _nextInode++);
    }

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0)
    {
        Mutations.Add("symlink " + path);
        var (dir, name) = Parent(path);
        if (dir.Children!.ContainsKey(name))
        {
            throw new GuestFileSystemException(FsError.AlreadyExists, path, "exists");
        }

        dir.Children[name] = Node.Link(target, _nextInode++);
    }

    public void CreateHardLink(string existingPath, string newPath)
    {
        Mutations.Add("link " + newPath);
        var node = Existing(existingPath);
        var (dir, name) = Parent(newPath);
        dir.Children![name] = node;
    }

    public void Rename(string sourcePath, string destinationPath)
    {
        Mutations.Add("rename " + sourcePath);
        var node = Existing(sourcePath);
        var (from, fromName) = Parent(sourcePath);
        var (to, toName) = Parent(destinationPath);
        from.Children!.Remove(fromName);
        to.Children![toName] = node;
    }

    public void SetMode(string path, UnixFileMode mode) => Existing(path).Mode = mode;

    public void SetOwner(string path, int uid, int gid)
    {
        var node = Existing(path);
        node.Uid = uid;
        node.Gid = gid;
    }

    public void SetTimes(string path, long accessTime, long modifiedTime)
    {
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }

    // ---- resolution ---------------------------------------------------------------------------------------------

    private Node? Find(string path)
    {
        try
        {
            var (dir, name) = Parent(path);
            return name.Length == 0 ? dir : dir.Children!.GetValueOrDefault(name);
        }
        catch (GuestFileSystemException e) when (e.Code is FsError.NotFound or FsError.NotADirectory)
        {
            return null;
        }
    }

    private Node Existing(string path) => Find(path) ?? throw new GuestFileSystemException(FsError.NotFound, path, "no such file");

    private Node Regular(string path) =>
        Existing(path) is { Kind: FileKind.Regular } node ? node : throw new GuestFileSystemException(FsError.InvalidPath, path, "not a regular file");

    private Node Follow(string path)
    {
        for (var hops = 0; hops < 40; hops++)
        {
            var node = Existing(path);
            if (node.Kind != FileKind.Symlink)
            {
                return node;
            }

            path = node.Target!.StartsWith('/') ? node.Target : PosixPath.GetDirectoryName(PosixPath.Normalize(path)) + "/" + node.Target;
        }

        throw new GuestFileSystemException(FsError.SymlinkLoop, path, "too many symlinks");
    }

    /// <summary>The directory holding the last component (intermediate symlinks followed) and that component's name.</summary>
    private (Node Directory, string Name) Parent(string path)
    {
        var hops = 0;
        var parts = PosixPath.Split(PosixPath.Normalize(path)).ToList();
        var current = _root;
        var walked = "/";
        for (var i = 0; i < parts.Count - 1; i++)
        {
            if (!current.Children!.TryGetValue(parts[i], out var next))
            {
                throw new GuestFileSystemException(FsError.NotFound, path, "no such directory");
            }

            if (next.Kind == FileKind.Symlink)
            {
                if (++hops > 40)
                {
                    throw new GuestFileSystemException(FsError.SymlinkLoop, path, "too many symlinks");
                }

                var target = next.Target!.StartsWith('/') ? next.Target : PosixPath.Combine(walked, next.Target);
                var rest = parts.Skip(i + 1);
                parts = PosixPath.Split(PosixPath.Normalize(target + "/" + string.Join('/', rest))).ToList();
                current = _root;
                walked = "/";
                i = -1;
                continue;
            }

            if (next.Kind != FileKind.Directory)
            {
                throw new GuestFileSystemException(FsError.NotADirectory, path, "not a directory");
            }

            current = next;
            walked = PosixPath.Combine(walked, parts[i]);
        }

        return (current, parts.Count == 0 ? string.Empty : parts[^1]);
    }

    private void MakeParents(string path)
    {
        var parts = PosixPath.Split(PosixPath.Normalize(path));
        var current = _root;
        foreach (var part in parts.Take(parts.Length - 1))
        {
            if (!current.Children!.TryGetValue(part, out var next))
            {
                next = Node.Directory(DefaultDirectoryMode, 0, 0, _nextInode++);
                current.Children[part] = next;
            }

            if (next.Kind != FileKind.Directory)
            {
                return; // below a symlink: the target's directories must already exist (Parent follows the link)
            }

            current = next;
        }
    }

    private static void Collect(Node node, string path, List<string> list)
    {
        foreach (var (name, child) in node.Children!)
        {
            var childPath = path + "/" + name;
            list.Add(childPath);
            if (child.Kind == FileKind.Directory)
            {
                Collect(child, childPath, list);
            }
        }
    }

    private sealed class Node
    {
        public FileKind Kind { get; private init; }

        public UnixFileMode Mode { get; set; }

        public int Uid { get; set; }

        public int Gid { get; set; }

        public long Inode { get; private init; }

        public byte[] Content { get; set; } = [];

        public string? Target { get; private init; }

        public SortedDictionary<string, Node>? Children { get; private init; }

        public long Size => Kind == FileKind.Symlink ? Target!.Length : Content.Length;

        public static Node File(byte[] content, UnixFileMode mode, int uid, int gid, long inode) =>
            new() { Kind = FileKind.Regular, Content = content, Mode = mode, Uid = uid, Gid = gid, Inode = inode };

        public static Node Directory(UnixFileMode mode, int uid, int gid, long inode) =>
            new() { Kind = FileKind.Directory, Mode = mode, Uid = uid, Gid = gid, Inode = inode, Children = new(StringComparer.Ordinal) };

        public static Node Link(string target, long inode) =>
            new() { Kind = FileKind.Symlink, Target = target, Mode = (UnixFileMode)0x1FF, Inode = inode };
    }
}
