using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Images.Host;

/// <summary>Who a host file is: enough to tell that a file is still the one a redo log was written for.</summary>
/// <param name="Device">st_dev (major:minor packed as major &lt;&lt; 32 | minor).</param>
/// <param name="Inode">st_ino.</param>
/// <param name="Size">st_size.</param>
/// <param name="ModifiedNanoseconds">st_mtime in nanoseconds since the Unix epoch.</param>
internal readonly record struct HostFileIdentity(FileKind Kind, ulong Device, ulong Inode, long Size, long ModifiedNanoseconds);

/// <summary>
/// Opens image files safely: a path is stat'ed before it is opened, so a FIFO or a character device (whose open or read
/// would block, or have side effects) is refused by name; the open itself uses O_NONBLOCK and is checked again with
/// fstat, and the handle .NET uses is reopened from that very descriptor (/proc/self/fd), so a path swapped between the
/// checks cannot slip through. Errors name what the path is: missing, a directory, read-only, permission denied.
/// </summary>
internal static class HostFileOpener
{
    private const int ORdOnly = 0;
    private const int ORdWr = 2;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const int StatxSize = 256;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENoEnt = 2;
    private const int EAcces = 13;
    private const int EPerm = 1;
    private const int ENotDir = 20;
    private const int EIsDir = 21;
    private const int ERoFs = 30;
    private const int ETxtBsy = 26;

    /// <summary>
    /// Opens <paramref name="path"/> (regular file or block device only) through .NET with <paramref name="share"/>
    /// (which decides the flock .NET takes). Throws ImageNotFoundException (missing, directory, not a regular file or
    /// block device) or ImageBusyException (read-only, permission denied, in use).
    /// </summary>
    public static SafeFileHandle Open(string path, bool writable, FileShare share)
    {
        if (!OperatingSystem.IsLinux())
        {
            return OpenManaged(path, path, writable, share);
        }

        var before = StatPath(path);
        CheckKind(path, before.Kind);
        var fd = Native.Open(path, (writable ? ORdWr : ORdOnly) | ONonBlock | ONoCtty | OCloExec);
        if (fd < 0)
        {
            throw OpenError(path, writable, Marshal.GetLastPInvokeError());
        }

        try
        {
            var opened = StatDescriptor(fd, path);
            CheckKind(path, opened.Kind);
            if (opened.Device != before.Device || opened.Inode != before.Inode)
            {
                throw new ImageBusyException($"{path} was replaced while it was being opened");
            }

            // The same open file (not the path again), now with .NET's own handle and its FileShare lock.
            var reopen = $"/proc/self/fd/{fd}";
            return OpenManaged(File.Exists(reopen) ? reopen : path, path, writable, share);
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    /// <summary>stat(2) of a path, following symlinks. Throws ImageNotFoundException when it does not exist.</summary>
    public static HostFileIdentity StatPath(string path)
    {
        var buffer = new byte[StatxSize];
        if (Native.Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENoEnt or ENotDir)
            {
                throw new ImageNotFoundException($"image not found: {path}");
            }

            throw new ImageBusyException($"cannot stat {path}: {Describe(errno)}");
        }

        return Parse(buffer);
    }

    /// <summary>fstat(2) of an open handle.</summary>
    public static HostFileIdentity StatHandle(SafeFileHandle handle, string path)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return StatDescriptor((int)handle.DangerousGetHandle(), path);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static HostFileIdentity StatDescriptor(int fd, string path)
    {
        var buffer = new byte[StatxSize];
        if (Native.Statx(fd, string.Empty, AtEmptyPath, StatxBasicStats, buffer) != 0)
        {
            throw new ImageBusyException($"cannot fstat {path}: {Describe(Marshal.GetLastPInvokeError())}");
        }

        return Parse(buffer);
    }

    private static void CheckKind(string path, FileKind kind)
    {
        switch (kind)
        {
            case FileKind.Regular:
            case FileKind.BlockDevice:
                return;
            case FileKind.Directory:
                throw new ImageNotFoundException($"{path} is a directory, not an image (use --dir for a guest tree)");
            default:
                throw new ImageNotFoundException($"{path} is a {KindName(kind)}, not an image: only regular files and block devices are opened");
        }
    }

    private static string KindName(FileKind kind) => kind switch
    {
        FileKind.Fifo => "FIFO",
        FileKind.CharacterDevice => "character device",
        FileKind.Socket => "socket",
        FileKind.Symlink => "symbolic link",
        _ => "special file",
    };

    private static SafeFileHandle OpenManaged(string openPath, string path, bool writable, FileShare share)
    {
        try
        {
            return File.OpenHandle(openPath, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, share);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageNotFoundException($"image not found: {path}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageBusyException($"cannot open {path} for {(writable ? "writing" : "reading")}: permission denied", e);
        }
        catch (IOException e)
        {
            // The O_NONBLOCK probe with the same access succeeded, so what is left is .NET's flock: someone holds the file.
            throw new ImageBusyException($"image is in use: {path}", e);
        }
    }

    private static SealerException OpenError(string path, bool writable, int errno) => errno switch
    {
        ENoEnt or ENotDir => new ImageNotFoundException($"image not found: {path}"),
        EIsDir => new ImageNotFoundException($"{path} is a directory, not an image (use --dir for a guest tree)"),
        ERoFs => new ImageBusyException($"{path} is on a read-only file system: cannot write it in place (use --output, or --dry-run)"),
        EAcces or EPerm when writable => new ImageBusyException($"{path} is read-only for this user (permission denied): cannot write it in place (use --output, or --dry-run)"),
        EAcces or EPerm => new ImageBusyException($"cannot open {path} for reading: permission denied"),
        ETxtBsy => new ImageBusyException($"image is in use: {path} (text file busy)"),
        _ => new ImageBusyException($"cannot open {path} for {(writable ? "writing" : "reading")}: {Describe(errno)}"),
    };

    private static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    // struct statx (include/uapi/linux/stat.h): the same layout on every architecture, in native byte order.
    private static HostFileIdentity Parse(ReadOnlySpan<byte> b)
    {
        var mode = ReadU16(b[28..]);
        var inode = ReadU64(b[32..]);
        var size = ReadU64(b[40..]);
        var mtimeSeconds = (long)ReadU64(b[112..]);
        var mtimeNanoseconds = ReadU32(b[120..]);
        var devMajor = ReadU32(b[136..]);
        var devMinor = ReadU32(b[140..]);
        return new HostFileIdentity(
            FileModeBits.KindOf(mode),
            ((ulong)devMajor << 32) | devMinor,
            inode,
            (long)Math.Min(size, long.MaxValue),
            (mtimeSeconds * 1_000_000_000L) + mtimeNanoseconds);
    }

    private static ushort ReadU16(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static uint ReadU32(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ulong ReadU64(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
    }
}
