using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Sealer.Images.Transactions;

/// <summary>The few POSIX calls .NET does not expose: fsync of a directory and qemu-compatible OFD byte-range locks.</summary>
internal static class HostFileSystem
{
    private const int FOfdSetLk = 37;
    private const short FWrLck = 1;
    private const int EAcces = 13;
    private const int EAgain = 11;

    /// <summary>fsync of the directory holding <paramref name="path"/>, so a created or deleted name is durable.</summary>
    public static void FlushDirectoryOf(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        var fd = Native.Open(Encoding.UTF8.GetBytes(directory + "\0"), 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    /// <summary>
    /// Takes an open-file-description write lock over the whole file. QEMU holds OFD locks on bytes of every image it has
    /// open, so this fails while a VM (or qemu-img/qemu-nbd) uses the image. Returns false only when someone holds a
    /// conflicting lock; file systems without lock support are treated as unlocked.
    /// </summary>
    public static bool TryLockLikeQemu(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        var request = new OfdLock { Type = FWrLck, Whence = 0, Start = 0, Length = 0, Pid = 0 };
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (Native.Fcntl((int)handle.DangerousGetHandle(), FOfdSetLk, ref request) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno is not (EAgain or EAcces);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>struct flock of Linux (x86-64 and arm64): l_type, l_whence, l_start, l_len, l_pid.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OfdLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fcntl(int fd, int command, ref OfdLock request);
    }
}
