namespace Sealer.Core.IO;

/// <summary>A window of a parent device (a partition). Does not own the parent.</summary>
public sealed class SubBlockDevice : IBlockDevice
{
    private readonly IBlockDevice _parent;
    private readonly long _start;

    public SubBlockDevice(IBlockDevice parent, long start, long length)
    {
        ArgumentNullException.ThrowIfNull(parent);
        BlockDeviceGuard.CheckRange("partition", start, length, parent.Length);
        _parent = parent;
        _start = start;
        Length = length;
    }

    public long Length { get; }

    public int SectorSize => _parent.SectorSize;

    public bool CanWrite => _parent.CanWrite;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("partition", offset, destination.Length, Length);
        _parent.Read(_start + offset, destination);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        BlockDeviceGuard.CheckRange("partition", offset, source.Length, Length);
        _parent.Write(_start + offset, source);
    }

    public void Flush() => _parent.Flush();

    public void Dispose()
    {
        // The parent is owned by whoever opened it.
    }
}
