using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Images.Transactions;

/// <summary>
/// Presents a host file as writable while writing nothing to it: writes and length changes are recorded in memory
/// and reads merge them with the file. <see cref="InPlaceCommit"/> turns the record into a redo log.
/// Does not own the inner file.
/// </summary>
public sealed class RecordingHostFile : IHostFile
{
    private readonly IHostFile _inner;
    private readonly DirtyPageMap _pages = new();

    public RecordingHostFile(IHostFile inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        OriginalLength = inner.Length;
        Length = inner.Length;
        LowestLength = inner.Length;
    }

    public string? Path => _inner.Path;

    public long Length { get; private set; }

    public bool CanWrite => true;

    /// <summary>Length of the file when recording started.</summary>
    public long OriginalLength { get; }

    /// <summary>The smallest length the file had at any point: bytes from here on that are not dirty read as zeros.</summary>
    public long LowestLength { get; private set; }

    /// <summary>Recorded writes as merged ascending ranges inside the current <see cref="Length"/>.</summary>
    public IReadOnlyList<ByteRange> DirtyRanges => _pages.Ranges(Length);

    public bool HasChanges => _pages.Count > 0 || Length != OriginalLength || LowestLength != OriginalLength;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange(Path ?? "recording", offset, destination.Length, Length);
        _pages.Read(offset, destination, ReadBelow);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var end = checked(offset + source.Length);
        _pages.Write(offset, source, ReadBelow);
        Length = Math.Max(Length, end);
    }

    public void SetLength(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length < Length)
        {
            _pages.Truncate(length);
            LowestLength = Math.Min(LowestLength, length);
        }

        Length = length;
    }

    /// <summary>Nothing reaches the file before the commit, so there is nothing to make durable.</summary>
    public void Flush()
    {
    }

    /// <summary>Forgets every recorded change.</summary>
    public void Discard()
    {
        _pages.Clear();
        Length = OriginalLength;
        LowestLength = OriginalLength;
    }

    public void Dispose() => _pages.Clear();

    /// <summary>Bytes no dirty page covers: the file's own below <see cref="LowestLength"/>, zeros above (cut off, or never there).</summary>
    private void ReadBelow(long offset, Span<byte> destination)
    {
        var fromFile = (int)Math.Clamp(LowestLength - offset, 0, destination.Length);
        if (fromFile > 0)
        {
            _inner.Read(offset, destination[..fromFile]);
        }

        destination[fromFile..].Clear();
    }
}
