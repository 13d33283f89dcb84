using Microsoft.Win32.SafeHandles;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Images.Host;

/// <summary>A host file accessed with RandomAccess (pread/pwrite): no shared position, holes stay holes.</summary>
public sealed class FileHostFile : ISparseHostFile
{
    private readonly SafeFileHandle _handle;
    private long _length;

    private FileHostFile(SafeFileHandle handle, string path, bool writable)
    {
        _handle = handle;
        Path = path;
        CanWrite = writable;
        _length = RandomAccess.GetLength(handle);
    }

    public string? Path { get; }

    public long Length => _length;

    public bool CanWrite { get; }

    /// <summary>Opens an existing file. Writable opens take no shared lock so a second writer fails early.</summary>
    public static FileHostFile Open(string path, bool writable)
    {
        // Regular files and block devices only, checked before the open (a FIFO would block it forever).
        var handle = HostFileOpener.Open(path, writable, writable ? FileShare.Read : FileShare.ReadWrite);
        return new FileHostFile(handle, System.IO.Path.GetFullPath(path), writable);
    }

    /// <summary>Creates a new file (fails if it exists).</summary>
    public static FileHostFile Create(string path)
    {
        try
        {
            var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
            return new FileHostFile(handle, System.IO.Path.GetFullPath(path), writable: true);
        }
        catch (IOException e)
        {
            throw new ImageBusyException($"cannot create {path}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ImageBusyException($"cannot create {path}: permission denied", e);
        }
    }

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange(Path ?? "file", offset, destination.Length, _length);
        var done = PositionalRead.Fill(_handle, destination, offset);
        if (done < destination.Length)
        {
            throw new InvalidImageException($"{Path}: unexpected end of file at offset 0x{offset + done:x}");
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new InvalidOperationException($"{Path} is open read-only");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        RandomAccess.Write(_handle, source, offset);
        _length = Math.Max(_length, offset + source.Length);
    }

    public void SetLength(long length)
    {
        if (!CanWrite)
        {
            throw new InvalidOperationException($"{Path} is open read-only");
        }

        RandomAccess.SetLength(_handle, length);
        _length = length;
    }

    public void Flush()
    {
        if (CanWrite)
        {
            RandomAccess.FlushToDisk(_handle);
        }
    }

    /// <summary>Data extents from SEEK_DATA/SEEK_HOLE; null when the host file system cannot tell.</summary>
    public IReadOnlyList<ByteRange>? GetDataRanges() => SparseExtents.TryGet(_handle, _length);

    public void Dispose() => _handle.Dispose();
}
