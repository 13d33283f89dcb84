using Sealer.Core.Errors;

namespace Sealer.Core.IO;

/// <summary>A device backed by a byte array; for tests and small scratch devices.</summary>
public sealed class MemoryBlockDevice(byte[] data, bool writable = true, int sectorSize = 512) : IBlockDevice
{
    public MemoryBlockDevice(long length)
        : this(new byte[length])
    {
    }

    public byte[] Data { get; } = data;

    public long Length => Data.Length;

    public int SectorSize { get; } = sectorSize;

    public bool CanWrite { get; } = writable;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("memory", offset, destination.Length, Length);
        Data.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, "memory device", "device is read-only");
        }

        BlockDeviceGuard.CheckRange("memory", offset, source.Length, Length);
        source.CopyTo(Data.AsSpan((int)offset));
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
