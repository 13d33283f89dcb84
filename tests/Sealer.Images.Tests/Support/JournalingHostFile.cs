using Sealer.Images.Host;

namespace Sealer.Images.Tests.Support;

/// <summary>Records every write, truncate and fsync in order, so a test can rebuild the file as it would be after a
/// crash at any fsync (only what was written before that fsync is assumed durable).</summary>
internal sealed class JournalingHostFile(FileHostFile inner) : IHostFile
{
    private readonly List<(long Offset, byte[]? Data, long NewLength)> _operations = [];
    private readonly List<int> _flushPoints = [];

    public string? Path => inner.Path;

    public long Length => inner.Length;

    public bool CanWrite => inner.CanWrite;

    /// <summary>Number of operations recorded before each fsync.</summary>
    public IReadOnlyList<int> FlushPoints => _flushPoints;

    public void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        _operations.Add((offset, source.ToArray(), -1));
        inner.Write(offset, source);
    }

    public void SetLength(long length)
    {
        _operations.Add((0, null, length));
        inner.SetLength(length);
    }

    public void Flush() => _flushPoints.Add(_operations.Count);

    public void Dispose() => inner.Dispose();

    /// <summary>The file content after the first <paramref name="count"/> operations, starting from <paramref name="original"/>.</summary>
    public byte[] Replay(byte[] original, int count) => Replay(original, Enumerable.Range(0, count));

    /// <summary>The file content after applying the operations with the given indexes, in that order.</summary>
    public byte[] Replay(byte[] original, IEnumerable<int> operationIndexes)
    {
        var data = new List<byte>(original);
        foreach (var (offset, bytes, newLength) in operationIndexes.Select(i => _operations[i]))
        {
            var end = bytes is null ? newLength : offset + bytes.Length;
            if (data.Count < end)
            {
                data.AddRange(new byte[end - data.Count]);
            }
            else if (bytes is null)
            {
                data.RemoveRange((int)newLength, data.Count - (int)newLength);
            }

            for (var i = 0; bytes is not null && i < bytes.Length; i++)
            {
                data[(int)offset + i] = bytes[i];
            }
        }

        return [.. data];
    }
}
