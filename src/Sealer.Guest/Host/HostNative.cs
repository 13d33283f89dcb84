using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

/// <summary>
/// The Linux *at() system calls the host-directory file system needs. Every walk goes through directory file
/// descriptors opened with O_NOFOLLOW, so a symlink planted in the tree can never redirect us outside it.
/// statx is used because its buffer layout is the same on every architecture (struct stat is not).
/// </summary>
internal static class HostNative
{
    private const string LibC = "libc";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtRemoveDir = 0x200;
    public const int AtEmptyPath = 0x1000;

    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int OTrunc = 0x200;
    public const int OAppend = 0x400;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;

    // O_DIRECTORY and O_NOFOLLOW differ between x86/x64 and the arm ABIs (asm-generic/fcntl.h vs arch/arm64).
    public static readonly int ODirectory = IsArm ? 0x4000 : 0x10000;
    public static readonly int ONoFollow = IsArm ? 0x8000 : 0x20000;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EAcces = 13;
    public const int EExist = 17;
    public const int EXDev = 18;
    public const int ENotDir = 20;
    public const int EIsDir = 21;
    public const int EInval = 22;
    public const int ENoSpc = 28;
    public const int ERoFs = 30;
    public const int EMLink = 31;
    public const int ENameTooLong = 36;
    public const int ENotEmpty = 39;
    public const int ELoop = 40;
    public const int ENoData = 61;
    public const int ERange = 34;
    public const int ENotSup = 95;

    private const int StatxSize = 256;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>STATX_MNT_ID (Linux 5.8): the mount an inode was reached through, which tells a bind mount of the
    /// same file system apart from the tree around it (st_dev alone cannot).</summary>
    private const uint StatxMountId = 0x1000;

    private static bool IsArm =>
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    public static int LastError => Marshal.GetLastPInvokeError();

    [DllImport(LibC, SetLastError = true, EntryPoint = "openat")]
    public static extern int OpenAt(int dirFd, string path, int flags, uint mode);

    [DllImport(LibC, SetLastError = true, EntryPoint = "close")]
    public static extern int Close(int fd);

    [DllImport(LibC, SetLastError = true, EntryPoint = "statx")]
    private static extern int Statx(int dirFd, string path, int flags, uint mask, byte[] buffer);

    [DllImport(LibC, SetLastError = true, EntryPoint = "readlinkat")]
    private static extern nint ReadLinkAt(int dirFd, string path, byte[] buffer, nuint size);

    [DllImport(LibC, SetLastError = true, EntryPoint = "mkdirat")]
    public static extern int MkdirAt(int dirFd, string path, uint mode);

    [DllImport(LibC, SetLastError = true, EntryPoint = "unlinkat")]
    public static extern int UnlinkAt(int dirFd, string path, int flags);

    [DllImport(LibC, SetLastError = true, EntryPoint = "symlinkat")]
    public static extern int SymlinkAt(string target, int dirFd, string path);

    [DllImport(LibC, SetLastError = true, EntryPoint = "linkat")]
    public static extern int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [DllImport(LibC, SetLastError = true, EntryPoint = "renameat")]
    public static extern int RenameAt(int oldDirFd, string oldPath, int newDirFd, string newPath);

    [DllImport(LibC, SetLastError = true, EntryPoint = "fchownat")]
    public static extern int FchownAt(int dirFd, string path, int uid, int gid, int flags);

    [DllImport(LibC, SetLastError = true, EntryPoint = "fchmodat")]
    public static extern int FchmodAt(int dirFd, string path, uint mode, int flags);

    [DllImport(LibC, SetLastError = true, EntryPoint = "ftruncate")]
    public static extern int Ftruncate(int fd, long length);

    /// <summary>times = {atime_sec, atime_nsec, mtime_sec, mtime_nsec} (struct timespec[2] on 64-bit Linux).</summary>
    [DllImport(LibC, SetLastError = true, EntryPoint = "utimensat")]
    public static extern int UtimensAt(int dirFd, string path, long[] times, int flags);

    [DllImport(LibC, SetLastError = true, EntryPoint = "fsync")]
    public static extern int Fsync(int fd);

    [DllImport(LibC, SetLastError = true, EntryPoint = "futimens")]
    public static extern int Futimens(int fd, long[] times);

    [DllImport(LibC, SetLastError = true, EntryPoint = "flistxattr")]
    public static extern nint FListXattr(int fd, byte[]? list, nuint size);

    [DllImport(LibC, SetLastError = true, EntryPoint = "fgetxattr")]
    public static extern nint FGetXattr(int fd, byte[] name, byte[]? value, nuint size);

    [DllImport(LibC, SetLastError = true, EntryPoint = "fsetxattr")]
    public static extern int FSetXattr(int fd, byte[] name, byte[] value, nuint size, int flags);

    [DllImport(LibC, EntryPoint = "geteuid")]
    public static extern uint GetEuid();

    /// <summary>lstat-like status of <paramref name="name"/> in <paramref name="dirFd"/> ("" = the fd itself); errno on failure.</summary>
    public static int TryStatAt(int dirFd, string name, out FileStatus status)
    {
        var errno = TryHostStatAt(dirFd, name, out var host);
        status = host.Status;
        return errno;
    }

    /// <summary>As <see cref="TryStatAt(int, string, out FileStatus)"/>, plus where the inode lives on the host.</summary>
    public static int TryHostStatAt(int dirFd, string name, out HostStat status)
    {
        var buffer = new byte[StatxSize];
        var flags = AtSymlinkNoFollow | (name.Length == 0 ? AtEmptyPath : 0);
        if (Statx(dirFd, name, flags, StatxBasicStats | StatxMountId, buffer) != 0)
        {
            status = default;
            return LastError;
        }

        status = ParseHostStatx(buffer);
        return 0;
    }

    public static int TryReadLinkAt(int dirFd, string name, out string target)
    {
        var buffer = new byte[4096];
        var length = ReadLinkAt(dirFd, name, buffer, (nuint)buffer.Length);
        if (length < 0)
        {
            target = string.Empty;
            return LastError;
        }

        target = System.Text.Encoding.UTF8.GetString(buffer, 0, (int)Math.Min(length, buffer.Length));
        return 0;
    }

    // struct statx (include/uapi/linux/stat.h): fixed little/big-endian-native layout, identical on all arches.
    private static HostStat ParseHostStatx(ReadOnlySpan<byte> b)
    {
        var mask = ReadU32(b);
        var device = ((ulong)ReadU32(b[136..]) << 32) | ReadU32(b[140..]);
        ulong? mountId = (mask & StatxMountId) != 0 ? ReadU64(b[144..]) : null;
        return new HostStat(ParseStatx(b), device, mountId, ReadU32(b[120..]), ReadU32(b[104..]));
    }

    private static FileStatus ParseStatx(ReadOnlySpan<byte> b)
    {
        var nlink = ReadU32(b[16..]);
        var uid = ReadU32(b[20..]);
        var gid = ReadU32(b[24..]);
        var mode = ReadU16(b[28..]);
        var ino = ReadU64(b[32..]);
        var size = ReadU64(b[40..]);
        var atime = ReadI64(b[64..]);
        var ctime = ReadI64(b[96..]);
        var mtime = ReadI64(b[112..]);
        var device = ((long)ReadU32(b[136..]) << 32) | ReadU32(b[140..]);
        return new FileStatus(
            KindOf(mode),
            (UnixFileMode)(mode & 0xfff),
            unchecked((int)uid),
            unchecked((int)gid),
            (long)Math.Min(size, long.MaxValue),
            (long)Math.Min(ino, long.MaxValue),
            (int)Math.Min(nlink, int.MaxValue),
            atime,
            mtime,
            ctime,
            device + 1);
    }

    public static FileKind KindOf(uint mode) => FileModeBits.KindOf(mode);

    private static uint ReadU32(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);

    private static ushort ReadU16(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static ulong ReadU64(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);

    private static long ReadI64(ReadOnlySpan<byte> b) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt64LittleEndian(b) : BinaryPrimitives.ReadInt64BigEndian(b);
}
