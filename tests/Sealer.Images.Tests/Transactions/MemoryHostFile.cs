using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Images.Tests.Transactions;

/// <summary>A growable in-memory host file: the model the recording view and the commit are checked against.</summary>
internal sealed class MemoryHostFile(byte[] initial) : IHostFile
{
    private byte[] _data = (byte[])initial.Clone();

    public string? Path => null;

    public long Length => _data.Length;

    public bool CanWrite => true;

    public byte[] ToArray() => (byte[])_data.Clone();

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("memory file", offset, destination.Length, Length);
        _data.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (offset + source.Length > _data.Length)
        {
            Array.Resize(ref _data, (int)offset + source.Length);
        }

        source.CopyTo(_data.AsSpan((int)offset));
    }

    public void SetLength(long length) => Array.Resize(ref _data, (int)length);

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
