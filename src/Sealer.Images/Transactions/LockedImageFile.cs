using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Images.Transactions;

/// <summary>
/// An image opened read-write for an in-place commit and locked against every other user: FileShare.None (which
/// .NET implements with flock(LOCK_EX) on Unix, stopping another Sealer run) plus a whole-file OFD write lock
/// (stopping QEMU, which uses OFD locks).
/// </summary>
internal sealed class LockedImageFile : IHostFile
{
    private LockedImageFile(SafeFileHandle handle, string path)
    {
        Handle = handle;
        Path = path;
    }

    public SafeFileHandle Handle { get; }

    public string? Path { get; }

    public long Length => RandomAccess.GetLength(Handle);

    public bool CanWrite => true;

    public static LockedImageFile Open(string path)
    {
        var handle = HostFileOpener.Open(path, writable: true, FileShare.None);
        if (!HostFileSystem.TryLockLikeQemu(handle))
        {
            handle.Dispose();
            throw new ImageBusyException($"image is in use: {path}");
        }

        return new LockedImageFile(handle, path);
    }

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange(Path ?? "image", offset, destination.Length, Length);
        var done = PositionalRead.Fill(Handle, destination, offset);
        if (done < destination.Length)
        {
            throw new InvalidImageException($"{Path}: unexpected end of file at offset 0x{offset + done:x}");
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source) => RandomAccess.Write(Handle, source, offset);

    public void SetLength(long length) => RandomAccess.SetLength(Handle, length);

    public void Flush() => RandomAccess.FlushToDisk(Handle);

    public void Dispose() => Handle.Dispose();
}
