namespace Sealer.Images.Host;

/// <summary>
/// The bytes of one image file on the host, with positional I/O. Unlike a block device a host file can grow:
/// writing past the end extends it (qcow2 allocates clusters at the end of its file). Reads past the end throw.
/// </summary>
public interface IHostFile : IDisposable
{
    /// <summary>Host path, used to resolve relative backing-file names; null for in-memory files.</summary>
    string? Path { get; }

    long Length { get; }

    bool CanWrite { get; }

    /// <summary>Fills <paramref name="destination"/>; throws <see cref="Core.Errors.InvalidImageException"/> past the end.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>Writes at <paramref name="offset"/>, extending the file if needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);

    void SetLength(long length);

    /// <summary>fsync: every write so far is durable.</summary>
    void Flush();
}
