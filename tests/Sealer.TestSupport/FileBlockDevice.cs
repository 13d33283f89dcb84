using Microsoft.Win32.SafeHandles;
using Sealer.Core.IO;

namespace Sealer.TestSupport;

/// <summary>A raw image file as a block device (test-only; the product uses Sealer.Images).</summary>
public sealed class FileBlockDevice : IBlockDevice
{
    private readonly SafeFileHandle _handle;

    public FileBlockDevice(string path, bool writable)
    {
        _handle = File.OpenHandle(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
        CanWrite = writable;
    }

    public long Length { get; }

    public int SectorSize => 512;

    public bool CanWrite { get; }

    public int Writes { get; private set; }

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("file", offset, destination.Length, Length);
        RandomAccess.Read(_handle, destination, offset);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new InvalidOperationException("read-only test device");
        }

        BlockDeviceGuard.CheckRange("file", offset, source.Length, Length);
        RandomAccess.Write(_handle, source, offset);
        Writes++;
    }

    public void Flush() => RandomAccess.FlushToDisk(_handle);

    public void Dispose() => _handle.Dispose();
}
