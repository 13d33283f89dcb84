using Sealer.Core.IO;

namespace Sealer.Images.Transactions;

/// <summary>
/// A writable in-memory overlay over a read-only device: writes land in 4 KiB pages, reads merge them with the base.
/// The base is never written until <see cref="CopyDirtyTo"/>. The overlay does not own (or dispose) the base.
/// </summary>
public sealed class CopyOnWriteBlockDevice : IBlockDevice, IAllocationMap
{
    private readonly IBlockDevice _base;
    private readonly DirtyPageMap _pages = new();

    public CopyOnWriteBlockDevice(IBlockDevice baseDevice)
    {
        ArgumentNullException.ThrowIfNull(baseDevice);
        _base = baseDevice;
    }

    public long Length => _base.Length;

    public int SectorSize => _base.SectorSize;

    public bool CanWrite => true;

    /// <summary>Overwritten ranges, merged and ascending, whole pages clipped to <see cref="Length"/>.</summary>
    public IReadOnlyList<ByteRange> DirtyRanges => _pages.Ranges(Length);

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("overlay", offset, destination.Length, Length);
        _pages.Read(offset, destination, _base.Read);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        BlockDeviceGuard.CheckRange("overlay", offset, source.Length, Length);
        _pages.Write(offset, source, FillPage);
    }

    /// <summary>Nothing to make durable: the overlay lives in memory until copied.</summary>
    public void Flush()
    {
    }

    /// <summary>Writes every dirty range to <paramref name="target"/> (which must be as long as the base) and flushes it.</summary>
    public void CopyDirtyTo(IBlockDevice target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var buffer = new byte[1 << 20];
        foreach (var range in DirtyRanges)
        {
            for (var at = range.Offset; at < range.End; at += buffer.Length)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, range.End - at));
                Read(at, chunk);
                target.Write(at, chunk);
            }
        }

        target.Flush();
    }

    /// <summary>Drops every pending write; reads show the base again.</summary>
    public void Discard() => _pages.Clear();

    /// <summary>The base's allocated ranges (or all of it) merged with the dirty pages.</summary>
    public IEnumerable<ByteRange> GetAllocatedRanges()
    {
        var baseRanges = _base is IAllocationMap map ? map.GetAllocatedRanges() : [new ByteRange(0, Length)];
        return ByteRangeMerger.Union(baseRanges, DirtyRanges);
    }

    public void Dispose() => _pages.Clear();

    private void FillPage(long pageStart, Span<byte> page) =>
        _base.Read(pageStart, page[..(int)Math.Min(page.Length, Length - pageStart)]);
}
