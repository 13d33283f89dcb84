using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Fuzz.Support;

/// <summary>
/// An in-memory host file that starts as the fuzz input and may grow (qcow2 allocates at its end). Written data is
/// kept in 64 KiB chunks, so a write far past the end costs one chunk, not the whole gap. Growth past
/// <see cref="MaxLength"/> is a finding: no sane qcow2 write should move the file end that far.
/// </summary>
public sealed class SparseHostFile(byte[] initial) : IHostFile
{
    public const long MaxLength = 1L << 40;
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;
    private readonly Dictionary<long, byte[]> _chunks = [];
    private long _length = initial.Length;
    private long _initialValid = initial.Length;

    public string? Path => null;

    public long Length => _length;

    public bool CanWrite => true;

    /// <summary>Bytes held in written chunks (the memory this file costs beyond the input).</summary>
    public long ChunkBytes => (long)_chunks.Count * ChunkSize;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("memory host file", offset, destination.Length, _length);
        while (!destination.IsEmpty)
        {
            var index = offset >> ChunkBits;
            var inChunk = (int)(offset & (ChunkSize - 1));
            var count = Math.Min(destination.Length, ChunkSize - inChunk);
            if (_chunks.TryGetValue(index, out var chunk))
            {
                chunk.AsSpan(inChunk, count).CopyTo(destination);
            }
            else
            {
                ReadInitial(offset, destination[..count]);
            }

            offset += count;
            destination = destination[count..];
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (offset < 0 || offset > MaxLength - source.Length)
        {
            throw new InvalidOperationException($"fuzz: qcow2 wrote {source.Length} bytes at 0x{offset:x}, past 1 TiB");
        }

        _length = Math.Max(_length, offset + source.Length);
        while (!source.IsEmpty)
        {
            var index = offset >> ChunkBits;
            var inChunk = (int)(offset & (ChunkSize - 1));
            var count = Math.Min(source.Length, ChunkSize - inChunk);
            if (!_chunks.TryGetValue(index, out var chunk))
            {
                chunk = new byte[ChunkSize];
                ReadInitial(index << ChunkBits, chunk);
                _chunks[index] = chunk;
            }

            source[..count].CopyTo(chunk.AsSpan(inChunk));
            offset += count;
            source = source[count..];
        }
    }

    public void SetLength(long length)
    {
        if (length < 0 || length > MaxLength)
        {
            throw new InvalidOperationException($"fuzz: qcow2 set the file length to 0x{length:x}");
        }

        // Bytes beyond the new end must read as zeros if the file grows again.
        foreach (var index in _chunks.Keys.Where(i => (i << ChunkBits) + ChunkSize > length).ToList())
        {
            var from = Math.Max(0, length - (index << ChunkBits));
            _chunks[index].AsSpan((int)from).Clear();
        }

        _initialValid = Math.Min(_initialValid, length);
        _length = length;
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }

    /// <summary>The input's bytes at <paramref name="offset"/>; zeros past the input or past a shrink.</summary>
    private void ReadInitial(long offset, Span<byte> destination)
    {
        var limit = _initialValid;
        var inData = offset >= limit ? 0 : (int)Math.Min(destination.Length, limit - offset);
        if (inData > 0)
        {
            initial.AsSpan((int)offset, inData).CopyTo(destination);
        }

        destination[inData..].Clear();
    }
}
