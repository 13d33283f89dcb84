using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Core.IO;

namespace Sealer.Xfs;

/// <summary>
/// Managed XFS driver (v4 and v5 on-disk formats), read-only for now: every mutation is refused by name with
/// <see cref="UnsupportedFeatureException"/> before anything is written, and <see cref="CanWrite"/> is false.
/// Every v5 CRC on the way is verified; every size, offset, count and link read from disk is checked.
/// </summary>
public sealed class XfsFileSystem : IFileSystem
{
    /// <summary>Why this driver refuses every write (kept in one place so the message names the reason).</summary>
    public const string WriteRefusalReason = "writing XFS is not implemented (the driver is read-only)";

    private const int MaxCachedDirectories = 64;
    private const int MaxSymlinkLength = 1024;
    private readonly XfsVolume _vol;
    private readonly XfsDirectory _dirs;
    private readonly XfsAttributes _attrs;
    private readonly Dictionary<ulong, Dictionary<string, XfsDirEntry>> _dirCache = [];
    private bool _disposed;

    /// <summary>The refusal when the internal log holds transactions the metadata does not have yet.</summary>
    public const string DirtyLogReason = "the log needs recovery: boot and shut down cleanly, or xfs_repair -L";

    private XfsFileSystem(XfsVolume vol, XfsLog.State log)
    {
        _vol = vol;
        LogIsClean = log != XfsLog.State.Dirty;
        _dirs = new XfsDirectory(vol);
        _attrs = new XfsAttributes(vol);
        Identity = new FileSystemIdentity("xfs", vol.Sb.UuidText, vol.Sb.Label);
    }

    public string TypeName => "xfs";

    public FileSystemIdentity Identity { get; }

    public bool CanWrite => false;

    /// <summary>The reason writes are refused (always set while the driver is read-only).</summary>
    public string WriteRefusal => LogIsClean ? WriteRefusalReason : DirtyLogReason;

    /// <summary>False when the internal log needs recovery (the on-disk metadata is then what the kernel would
    /// see with -o norecovery, without the logged changes). An external log is not inspected.</summary>
    public bool LogIsClean { get; }

    /// <summary>"v4" or "v5" and the feature names, for inspect-style reports.</summary>
    public string FeatureSummary
    {
        get
        {
            var sb = _vol.Sb;
            var parts = new List<string> { $"v{sb.Version}", $"bsize={sb.BlockSize}", $"sectsz={sb.SectorSize}", $"isize={sb.InodeSize}", $"agcount={sb.AgCount}" };
            if (sb.HasCrc)
            {
                parts.Add(XfsFeatures.NameRoCompat(sb.RoCompat));
                parts.Add(XfsFeatures.NameIncompat(sb.Incompat));
            }
            else
            {
                parts.Add(XfsFeatures.NameFeatures2(sb.Features2));
            }

            return string.Join(' ', parts.Where(p => p.Length > 0));
        }
    }

    /// <summary>Identifies an XFS file system, or returns null when the device has no XFSB magic at offset 0.</summary>
    public static FileSystemIdentity? Probe(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Length < XfsSuperblock.MinReadSize)
        {
            return null;
        }

        var head = new byte[XfsSuperblock.MinReadSize];
        device.Read(0, head);
        if (!XfsSuperblock.HasMagic(head))
        {
            return null;
        }

        var sb = ReadSuperblock(device);
        return new FileSystemIdentity("xfs", sb.UuidText, sb.Label);
    }

    /// <summary>Opens the file system on <paramref name="device"/> after validating the superblock, every AG header
    /// and the root inode. Nothing is ever written; with <paramref name="writable"/> the device must still be
    /// writable, but mutations are refused (see <see cref="WriteRefusal"/>).</summary>
    public static XfsFileSystem Open(IBlockDevice device, bool writable = false)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (writable && !device.CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, "/", "xfs: the device is read-only");
        }

        var sb = ReadSuperblock(device);
        var vol = new XfsVolume(device, sb);
        for (uint ag = 0; ag < sb.AgCount; ag++)
        {
            AgHeaders.Validate(vol, ag);
        }

        var root = XfsInode.Read(vol, sb.RootInode);
        if (root.Kind != FileKind.Directory)
        {
            throw new InvalidImageException($"xfs: root inode {sb.RootInode} is not a directory");
        }

        return new XfsFileSystem(vol, XfsLog.Inspect(vol));
    }

    internal static XfsSuperblock ReadSuperblock(IBlockDevice device)
    {
        if (device.Length < XfsSuperblock.MinReadSize)
        {
            throw new InvalidImageException($"xfs: device of {device.Length} bytes is too small for a superblock");
        }

        var head = new byte[XfsSuperblock.MinReadSize];
        device.Read(0, head);
        var sectSize = XfsSuperblock.RawSectorSize(head);
        if (sectSize is < 512 or > 32768 || device.Length < sectSize)
        {
            throw new InvalidImageException($"xfs: superblock: invalid sector size {sectSize} (offset 0x66)");
        }

        var raw = new byte[sectSize];
        device.Read(0, raw);
        return XfsSuperblock.Parse(raw, device.Length);
    }

    public FileStatus? TryStat(string path)
    {
        ThrowIfDisposed();
        try
        {
            var inode = Resolve(path);
            return new FileStatus(inode.Kind, (UnixFileMode)(inode.Mode & 0xFFF), inode.Uid, inode.Gid, inode.Size,
                (long)inode.Number, (int)Math.Min(inode.LinkCount, int.MaxValue), inode.AccessTime, inode.ModifiedTime, inode.ChangeTime);
        }
        catch (GuestFileSystemException e) when (e.Code == FsError.NotFound)
        {
            return null;
        }
    }

    public IReadOnlyList<DirectoryEntry> ReadDirectory(string path)
    {
        ThrowIfDisposed();
        var dir = Resolve(path);
        if (dir.Kind != FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.NotADirectory, path, "not a directory");
        }

        var list = new List<DirectoryEntry>();
        foreach (var e in _dirs.Read(dir))
        {
            if (e.Name is "." or "..")
            {
                continue;
            }

            var kind = KindOfFType(e.FType);
            if (kind == FileKind.Unknown)
            {
                kind = LoadLinked(e.Inode, PosixPath.Combine(path, e.Name)).Kind;
            }

            list.Add(new DirectoryEntry(e.Name, kind, (long)e.Inode));
        }

        return list;
    }

    public Stream OpenRead(string path)
    {
        ThrowIfDisposed();
        var inode = Resolve(path);
        if (inode.Kind == FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.IsADirectory, path, "is a directory");
        }

        if (inode.Kind != FileKind.Regular)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "not a regular file");
        }

        if ((inode.Flags & XfsInode.FlagRealtime) != 0)
        {
            throw new UnsupportedFeatureException($"xfs: {inode.Where}: unsupported feature: realtime file");
        }

        if (inode.DataFormat == ForkFormat.Local)
        {
            if (inode.Size > inode.DataFork.Length)
            {
                throw new InvalidImageException($"xfs: {inode.Where}: inline size {inode.Size} passes the fork of {inode.DataFork.Length} bytes");
            }

            return new MemoryStream(inode.DataFork[..(int)inode.Size], writable: false);
        }

        return XfsFileBlocks.Open(_vol, ExtentMap.ReadData(_vol, inode), inode.Size);
    }

    public string ReadLink(string path)
    {
        ThrowIfDisposed();
        var inode = Resolve(path);
        if (inode.Kind != FileKind.Symlink)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "not a symbolic link");
        }

        return Encoding.UTF8.GetString(XfsSymlink.Read(_vol, inode, MaxSymlinkLength));
    }

    /// <summary>The extended attributes of <paramref name="path"/> (not following a final symlink), by full name
    /// ("security.selinux", "user.x", "trusted.y").</summary>
    public IReadOnlyDictionary<string, byte[]> ReadAttributes(string path)
    {
        ThrowIfDisposed();
        return _attrs.Read(Resolve(path));
    }

    /// <summary>The on-disk format of the directory at <paramref name="path"/> (shortform, block, leaf, node, btree).</summary>
    internal string DirectoryShape(string path) => _dirs.Shape(Resolve(path));

    /// <summary>The inode behind <paramref name="path"/> (lstat semantics), for tests and diagnostics.</summary>
    internal XfsInode InodeOf(string path) => Resolve(path);

    internal XfsVolume Volume => _vol;

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0) => RefuseWrite();

    public void Append(string path, ReadOnlySpan<byte> content) => RefuseWrite();

    public void Truncate(string path, long length) => RefuseWrite();

    public void Delete(string path) => RefuseWrite();

    public void RemoveDirectory(string path) => RefuseWrite();

    public void DeleteTree(string path) => RefuseWrite();

    public void CreateDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0) => RefuseWrite();

    public void CreateSymbolicLink(string path, string target, int uid = 0, int gid = 0) => RefuseWrite();

    public void CreateHardLink(string existingPath, string newPath) => RefuseWrite();

    public void Rename(string sourcePath, string destinationPath) => RefuseWrite();

    public void SetMode(string path, UnixFileMode mode) => RefuseWrite();

    public void SetOwner(string path, int uid, int gid) => RefuseWrite();

    public void SetTimes(string path, long accessTime, long modifiedTime) => RefuseWrite();

    public void Flush() => ThrowIfDisposed();

    public void Dispose() => _disposed = true;

    private void RefuseWrite()
    {
        ThrowIfDisposed();
        throw new UnsupportedFeatureException($"xfs: cannot write: {WriteRefusal}");
    }

    private XfsInode Resolve(string path)
    {
        var current = XfsInode.Read(_vol, _vol.Sb.RootInode);
        foreach (var part in PosixPath.Split(path))
        {
            if (current.Kind != FileKind.Directory)
            {
                throw new GuestFileSystemException(FsError.NotADirectory, path, "a path component is not a directory");
            }

            if (!Entries(current).TryGetValue(part, out var entry))
            {
                throw new GuestFileSystemException(FsError.NotFound, path, "no such file or directory");
            }

            current = LoadLinked(entry.Inode, path);
        }

        return current;
    }

    /// <summary>The entries of a directory by name, cached (the driver never changes the image).</summary>
    private Dictionary<string, XfsDirEntry> Entries(XfsInode dir)
    {
        if (_dirCache.TryGetValue(dir.Number, out var cached))
        {
            return cached;
        }

        var byName = new Dictionary<string, XfsDirEntry>(StringComparer.Ordinal);
        foreach (var e in _dirs.Read(dir))
        {
            if (!byName.TryAdd(e.Name, e))
            {
                throw new InvalidImageException($"xfs: {dir.Where}: directory has the name '{e.Name}' twice");
            }
        }

        if (_dirCache.Count >= MaxCachedDirectories)
        {
            _dirCache.Clear();
        }

        _dirCache[dir.Number] = byName;
        return byName;
    }

    /// <summary>Reads an inode named by a directory entry, rejecting entries that point at free inodes.</summary>
    private XfsInode LoadLinked(ulong number, string path)
    {
        var inode = XfsInode.Read(_vol, number);
        if (inode.Mode == 0 || inode.Kind == FileKind.Unknown || (inode.LinkCount == 0 && inode.Kind != FileKind.Directory))
        {
            throw new InvalidImageException($"xfs: directory entry for {path} points to unused inode {number}");
        }

        return inode;
    }

    private static FileKind KindOfFType(byte type) => type switch
    {
        1 => FileKind.Regular,
        2 => FileKind.Directory,
        3 => FileKind.CharacterDevice,
        4 => FileKind.BlockDevice,
        5 => FileKind.Fifo,
        6 => FileKind.Socket,
        7 => FileKind.Symlink,
        _ => FileKind.Unknown,
    };

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
