using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4;

/// <summary>File content mutations and the all-or-nothing operation wrapper.</summary>
public sealed partial class Ext4FileSystem
{
    private const int LinkMax = 65000;

    public void WriteFile(string path, ReadOnlySpan<byte> content, UnixFileMode mode, int uid = 0, int gid = 0)
    {
        var data = content.ToArray();
        Mutate(() =>
        {
            var (parent, name) = ResolveParent(path);
            var entry = _dirs.Find(parent, name);
            if (entry is { } existing)
            {
                var inode = LoadLinked(existing.Inode, path);
                RequireRegular(inode, path);
                RequireModifiable(inode, path);
                _content.Replace(inode, data);
                Touch(inode, modified: true);
                SaveFile(inode);
                return;
            }

            RequireModifiable(parent, path);
            var created = NewInode(parent, (ushort)(0x8000 | ((int)mode & 0xFFF)), uid, gid, directory: false);
            created.LinksCount = 1;
            _content.Replace(created, data);
            SaveFile(created);
            _dirs.Add(parent, name, created.Number, 1);
            Touch(parent, modified: true);
            _ctx.Inodes.Write(parent);
        });
    }

    public void Append(string path, ReadOnlySpan<byte> content)
    {
        var data = content.ToArray();
        Mutate(() =>
        {
            var inode = Resolve(path);
            RequireRegular(inode, path);
            RequireModifiable(inode, path);
            _content.Append(inode, data);
            Touch(inode, modified: true);
            SaveFile(inode);
        });
    }

    public void Truncate(string path, long length)
    {
        if (length < 0)
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "negative length");
        }

        Mutate(() =>
        {
            var inode = Resolve(path);
            RequireRegular(inode, path);
            RequireModifiable(inode, path);
            _content.Truncate(inode, length);
            Touch(inode, modified: true);
            SaveFile(inode);
        });
    }

    public void SetMode(string path, UnixFileMode mode) => Mutate(() =>
    {
        var inode = Resolve(path);
        RequireModifiable(inode, path);
        inode.Mode = (ushort)((inode.Mode & 0xF000) | ((int)mode & 0xFFF));
        Touch(inode, modified: false);
        _ctx.Inodes.Write(inode);
    });

    public void SetOwner(string path, int uid, int gid) => Mutate(() =>
    {
        var inode = Resolve(path);
        RequireModifiable(inode, path);
        inode.Uid = uid;
        inode.Gid = gid;
        Touch(inode, modified: false);
        _ctx.Inodes.Write(inode);
    });

    public void SetTimes(string path, long accessTime, long modifiedTime) => Mutate(() =>
    {
        var inode = Resolve(path);
        RequireModifiable(inode, path);
        inode.SetAccessTime(accessTime);
        inode.SetModifiedTime(modifiedTime);
        inode.SetChangeTime(Now);
        _ctx.Inodes.Write(inode);
    });

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>i_generation (for NFS file handles) is random, except under a fixed clock, where it is derived from the
    /// inode number and the time so that sealing the same input twice gives identical bytes.</summary>
    private uint NextGeneration(uint inodeNumber)
    {
        if (_clock == TimeProvider.System)
        {
            return (uint)Random.Shared.Next();
        }

        // splitmix64 finaliser over (time, inode): well spread, stable across processes.
        var z = ((ulong)Now << 32) ^ inodeNumber;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(z ^ (z >> 31));
    }

    /// <summary>Runs one mutation atomically: on any exception every cached change and pending free is undone.</summary>
    private void Mutate(Action action)
    {
        ThrowIfDisposed();
        if (!CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, "/", "ext4: filesystem opened read-only");
        }

        if (_writeRefusal is not null)
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: {_writeRefusal}");
        }

        _ctx.Cache.Begin();
        try
        {
            action();
            _ctx.Allocator.ApplyPendingFrees();
            _ctx.Cache.Commit();
        }
        catch
        {
            _ctx.Allocator.DiscardPendingFrees();
            _ctx.Cache.Rollback();
            throw;
        }
    }

    private void Touch(Ext4Inode inode, bool modified)
    {
        var now = Now;
        inode.SetChangeTime(now);
        if (modified)
        {
            inode.SetModifiedTime(now);
        }
    }

    /// <summary>Saves a regular file's inode, setting large_file when it first exceeds 2 GiB.</summary>
    private void SaveFile(Ext4Inode inode)
    {
        if (inode.Size > int.MaxValue && !_ctx.Sb.HasRoCompat(Ext4Features.RoCompatLargeFile) &&
            (_ctx.SuperWriter.RoCompat & Ext4Features.RoCompatLargeFile) == 0)
        {
            _ctx.SuperWriter.SetRoCompat(_ctx.SuperWriter.RoCompat | Ext4Features.RoCompatLargeFile);
        }

        _ctx.Inodes.Write(inode);
    }

    private static void RequireModifiable(Ext4Inode inode, string path)
    {
        if (inode.HasFlag(Ext4Inode.FlagVerity))
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: verity file {path}");
        }

        if (inode.HasFlag(Ext4Inode.FlagInlineData))
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: inline_data inode {path}");
        }

        if (inode.HasFlag(Ext4Inode.FlagEncrypt))
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: encrypted inode {path}");
        }

        if (inode.HasFlag(Ext4Inode.FlagCasefold))
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: casefold directory {path}");
        }

        if (inode.HasFlag(Ext4Inode.FlagEaInode))
        {
            throw new UnsupportedFeatureException($"ext4: cannot write: ea_inode {path}");
        }
    }

    /// <summary>Allocates and initialises an inode near <paramref name="near"/> (not yet written).</summary>
    private Ext4Inode NewInode(Ext4Inode near, ushort mode, int uid, int gid, bool directory)
    {
        var number = _ctx.Allocator.AllocateInode(near.Number, directory);
        var raw = new byte[_ctx.Sb.InodeSize];
        var inode = new Ext4Inode(number, raw)
        {
            Mode = mode,
            Uid = uid,
            Gid = gid,
            Generation = NextGeneration(number),
        };
        if (raw.Length > 128)
        {
            int extra = _ctx.Sb.WantExtraIsize is >= 4 ? _ctx.Sb.WantExtraIsize : 32;
            extra = Math.Min(extra & ~3, raw.Length - 128);
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(0x80), (ushort)extra);
        }

        var now = Now;
        inode.SetAccessTime(now);
        inode.SetChangeTime(now);
        inode.SetModifiedTime(now);
        inode.SetCreationTime(now);
        if (_ctx.Sb.HasIncompat(Ext4Features.IncompatExtents))
        {
            inode.Flags = Ext4Inode.FlagExtents;
            BinaryPrimitives.WriteUInt16LittleEndian(inode.BlockMap, FileMap.ExtentMagic);
            BinaryPrimitives.WriteUInt16LittleEndian(inode.BlockMap[4..], 4);
        }

        return inode;
    }

    private static byte[] EncodeTarget(string target, string path, int blockSize)
    {
        var bytes = Encoding.UTF8.GetBytes(target);
        if (bytes.Length == 0 || bytes.Length >= blockSize || target.Contains('\0', StringComparison.Ordinal))
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "invalid symbolic link target length");
        }

        return bytes;
    }

    private static byte DirentType(Ext4Inode inode) => Ext4Inode.DirentType(inode.Kind);

    private static bool IsDir(Ext4Inode inode) => inode.Kind == FileKind.Directory;
}
