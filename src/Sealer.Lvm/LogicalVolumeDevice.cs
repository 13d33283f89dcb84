using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Lvm;

/// <summary>
/// An LV as a block device: each linear or striped segment maps its bytes onto PV data areas, the way
/// device-mapper's linear and striped targets would. Reads and writes touch the LV's own extents only; nothing
/// here ever writes LVM metadata. Does not own the PV devices.
/// </summary>
public sealed class LogicalVolumeDevice : IBlockDevice
{
    private readonly string _name;
    private readonly MappedSegment[] _segments;
    private readonly IBlockDevice[] _devices;

    internal LogicalVolumeDevice(string name, long length, int sectorSize, IReadOnlyList<MappedSegment> segments)
    {
        _name = name;
        Length = length;
        SectorSize = sectorSize;
        _segments = [.. segments];
        _devices = [.. segments.SelectMany(s => s.Stripes).Select(s => s.Device).Distinct()];
        CanWrite = _devices.All(d => d.CanWrite);
    }

    public long Length { get; }

    public int SectorSize { get; }

    public bool CanWrite { get; }

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange(_name, offset, destination.Length, Length);
        while (destination.Length > 0)
        {
            var (device, physical, run) = Map(offset, destination.Length);
            device.Read(physical, destination[..run]);
            destination = destination[run..];
            offset += run;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, _name, "logical volume is read-only");
        }

        BlockDeviceGuard.CheckRange(_name, offset, source.Length, Length);
        while (source.Length > 0)
        {
            var (device, physical, run) = Map(offset, source.Length);
            device.Write(physical, source[..run]);
            source = source[run..];
            offset += run;
        }
    }

    public void Flush()
    {
        foreach (var d in _devices)
        {
            d.Flush();
        }
    }

    public void Dispose()
    {
        // The PV devices are owned by whoever opened them.
    }

    /// <summary>Maps LV byte <paramref name="offset"/> to a PV device and offset, and how many bytes from there are contiguous.</summary>
    private (IBlockDevice Device, long Physical, int Run) Map(long offset, int wanted)
    {
        var lo = 0;
        var hi = _segments.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_segments[mid].Start <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var seg = _segments[lo];
        var within = offset - seg.Start;
        long stripeIndex;
        long inArea;
        long runLimit;
        if (seg.Stripes.Count == 1)
        {
            stripeIndex = 0;
            inArea = within;
            runLimit = seg.Length - within;
        }
        else
        {
            var chunk = within / seg.ChunkBytes;
            var inChunk = within % seg.ChunkBytes;
            stripeIndex = chunk % seg.Stripes.Count;
            inArea = (chunk / seg.Stripes.Count * seg.ChunkBytes) + inChunk;
            runLimit = seg.ChunkBytes - inChunk;
        }

        var stripe = seg.Stripes[(int)stripeIndex];
        if (inArea < 0 || inArea >= stripe.Length)
        {
            // The builder proved the mapping stays inside each area; this guards the invariant for writes.
            throw new InvalidImageException($"{_name}: offset 0x{offset:x} maps outside its extents");
        }

        var run = (int)Math.Min(wanted, Math.Min(runLimit, stripe.Length - inArea));
        return (stripe.Device, stripe.Start + inArea, run);
    }

    /// <summary>A segment in bytes: [Start, Start + Length) of the LV, over stripes of <see cref="ChunkBytes"/>.</summary>
    internal sealed record MappedSegment(long Start, long Length, long ChunkBytes, IReadOnlyList<MappedStripe> Stripes);

    /// <summary>The byte range [Start, Start + Length) of a PV device that one stripe occupies.</summary>
    internal sealed record MappedStripe(IBlockDevice Device, long Start, long Length);
}
