using Sealer.Images.Host;

namespace Sealer.Images.Tests.Support;

/// <summary>A host file whose fsync is a no-op. Structure tests use it to stay fast on a shared machine; qemu-img
/// reads through the page cache, so the result on disk is the same.</summary>
internal sealed class NoSyncHostFile(FileHostFile inner) : IHostFile
{
    public string? Path => inner.Path;

    public long Length => inner.Length;

    public bool CanWrite => inner.CanWrite;

    public int FlushCount { get; private set; }

    public void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    public void Write(long offset, ReadOnlySpan<byte> source) => inner.Write(offset, source);

    public void SetLength(long length) => inner.SetLength(length);

    public void Flush() => FlushCount++;

    public void Dispose() => inner.Dispose();
}
