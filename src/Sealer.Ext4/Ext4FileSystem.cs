using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Core.IO;

namespace Sealer.Ext4;

/// <summary>
/// Managed ext2/ext3/ext4 driver: reads everything a Linux guest commonly uses and writes in place keeping every
/// structure e2fsck checks consistent. Each mutation is all-or-nothing (rolled back in memory on any failure);
/// metadata reaches the device on <see cref="Flush"/> or <see cref="Dispose"/>.
/// </summary>
public sealed partial class Ext4FileSystem : IFileSystem
{
    private const uint RootInode = 2;
    private readonly Ext4Context _ctx;
    private readonly DirectoryStore _dirs;
    private readonly FileContentWriter _content;
    private readonly TimeProvider _clock;
    private readonly string? _writeRefusal;
    private bool _disposed;

    private Ext4FileSystem(Ext4Context ctx, bool writable, TimeProvider clock)
    {
        _ctx = ctx;
        _dirs = new DirectoryStore(ctx);
        _content = new FileContentWriter(ctx);
        CanWrite = writable;
        _clock = clock;
        _writeRefusal = WriteRefusal(ctx.Sb);
        Identity = new FileSystemIdentity(ctx.Sb.TypeName, ctx.Sb.UuidText, ctx.Sb.Label);
    }

    public string TypeName => Identity.Type;

    public FileSystemIdentity Identity { get; }

    public bool CanWrite { get; }

    /// <summary>What the ownership scan cost this run (0 inodes when nothing was changed yet).</summary>
    internal (int Inodes, TimeSpan Time) OwnershipScanCost =>
        _ctx.Owners is { Scanned: true } o ? (o.InodesScanned, o.ScanTime) : (0, TimeSpan.Zero);

    /// <summary>Opens the filesystem on <paramref name="device"/>; replays a pending internal journal when writable.
    /// <paramref name="clock"/> stamps changed inodes (a fixed clock makes the result reproducible).</summary>
    public static Ext4FileSystem Open(IBlockDevice device, bool writable, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (writable && !device.CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, "/", "ext4: the device is read-only");
        }

        var sb = ReadSuperblock(device);
        if (sb.HasIncompat(Ext4Features.IncompatRecover))
        {
            JournalReplayStep.Recover(device, sb, writable);
            sb = ReadSuperblock(device);
        }

        var ctx = new Ext4Context(sb, new BlockCache(device, sb.BlockSize, sb.BlocksCount));
        for (var g = 0; g < sb.GroupCount; g++)
        {
            ctx.Groups.Validate(g);
        }

        ctx.BuildSystemZone();

        var root = ctx.Inodes.Read(RootInode);
        if (root.Kind != FileKind.Directory)
        {
            throw new InvalidImageException("ext4: root inode 2 is not a directory");
        }

        return new Ext4FileSystem(ctx, writable, clock ?? TimeProvider.System);
    }

    /// <summary>Identifies an ext2/3/4 filesystem, or returns null when the device has no ext superblock magic.</summary>
    public static FileSystemIdentity? Probe(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Length < Ext4Superblock.Offset + Ext4Superblock.Size)
        {
            return null;
        }

        var raw = new byte[Ext4Superblock.Size];
        device.Read(Ext4Superblock.Offset, raw);
        if (!Ext4Superblock.HasMagic(raw))
        {
            return null;
        }

        var sb = Ext4Superblock.Parse(raw, device.Length);
        return new FileSystemIdentity(sb.TypeName, sb.UuidText, sb.Label);
    }

    internal static Ext4Superblock ReadSuperblock(IBlockDevice device)
    {
        if (device.Length < Ext4Superblock.Offset + Ext4Superblock.Size)
        {
            throw new InvalidImageException($"ext4: device of {device.Length} bytes is too small for a superblock");
        }

        var raw = new byte[Ext4Superblock.Size];
        device.Read(Ext4Superblock.Offset, raw);
        var sb = Ext4Superblock.Parse(raw, device.Length);
        var unknown = sb.Incompat & ~Ext4Features.IncompatReadable;
        if (unknown != 0)
        {
            throw new UnsupportedFeatureException($"ext4: unsupported incompat features: {Ext4Features.NameIncompat(unknown)}");
        }

        return sb;
    }

    private static string? WriteRefusal(Ext4Superblock sb)
    {
        var ro = sb.RoCompat & ~Ext4Features.RoCompatWritable;
        if (ro != 0)
        {
            return $"unsupported ro_compat features: {Ext4Features.NameRoCompat(ro)}";
        }

        var incompat = sb.Incompat & ~Ext4Features.IncompatWritable;
        if (incompat != 0)
        {
            return $"unsupported incompat features: {Ext4Features.NameIncompat(incompat)}";
        }

        var compat = sb.Compat & ~Ext4Features.CompatWritable;
        if (compat != 0)
        {
            return $"unsupported compat features: {Ext4Features.NameCompat(compat)}";
        }

        if (sb.HasCompat(Ext4Features.CompatHasJournal) && sb.JournalInode == 0)
        {
            return "external journal device";
        }

        return null;
    }

    public FileStatus? TryStat(string path)
    {
        ThrowIfDisposed();
        try
        {
            var inode = Resolve(path);
            return new FileStatus(inode.Kind, (UnixFileMode)(inode.Mode & 0xFFF), inode.Uid, inode.Gid, inode.Size,
                inode.Number, inode.LinksCount, inode.AccessTime, inode.ModifiedTime, inode.ChangeTime);
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

        var typed = _ctx.Sb.HasIncompat(Ext4Features.IncompatFileType);
        var list = new List<DirectoryEntry>();
        foreach (var e in _dirs.Enumerate(dir))
        {
            if (e.Name is "." or "..")
            {
                continue;
            }

            var kind = typed && e.FileType is > 0 and < 8 ? KindOfDirent(e.FileType) : _ctx.Inodes.Read(e.Inode).Kind;
            list.Add(new DirectoryEntry(e.Name, kind, e.Inode));
        }

        return list;
    }

    public Stream OpenRead(string path)
    {
        ThrowIfDisposed();
        var inode = Resolve(path);
        RequireRegular(inode, path);
        if (inode.HasFlag(Ext4Inode.FlagInlineData))
        {
            return new MemoryStream(InlineData.ReadContent(inode), writable: false);
        }

        return Ext4FileBlocks.Open(_ctx, FileMap.Read(inode, _ctx), inode.Size);
    }

    public string ReadLink(string path)
    {
        ThrowIfDisposed();
        var inode = Resolve(path);
        if (inode.Kind != FileKind.Symlink)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "not a symbolic link");
        }

        var target = ReadLinkBytes(inode);

        // The kernel stores no NUL in a target (symlink(2) cannot make one): such bytes are a damaged inode.
        if (target.AsSpan().IndexOf((byte)0) >= 0)
        {
            throw new InvalidImageException($"ext4: symlink inode {inode.Number} has a target containing NUL bytes (damaged inode)");
        }

        return Encoding.UTF8.GetString(target);
    }

    public void Flush()
    {
        ThrowIfDisposed();
        if (CanWrite)
        {
            _ctx.Cache.Flush();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (CanWrite)
        {
            _ctx.Cache.Flush();
        }

        _disposed = true;
    }

    private byte[] ReadLinkBytes(Ext4Inode inode)
    {
        if (inode.HasFlag(Ext4Inode.FlagInlineData))
        {
            return InlineData.ReadContent(inode);
        }

        if (FileMap.IsFastSymlink(inode))
        {
            return inode.BlockMap[..(int)inode.Size].ToArray();
        }

        if (inode.Size <= 0 || inode.Size > 65536)
        {
            throw new InvalidImageException($"ext4: symlink inode {inode.Number} has invalid size {inode.Size}");
        }

        var buffer = new byte[inode.Size];
        using var stream = Ext4FileBlocks.Open(_ctx, FileMap.Read(inode, _ctx), inode.Size);
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static FileKind KindOfDirent(byte type) => type switch
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

    private static void RequireRegular(Ext4Inode inode, string path)
    {
        if (inode.Kind == FileKind.Directory)
        {
            throw new GuestFileSystemException(FsError.IsADirectory, path, "is a directory");
        }

        if (inode.Kind != FileKind.Regular)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "not a regular file");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
