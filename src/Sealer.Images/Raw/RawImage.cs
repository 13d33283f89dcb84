using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Images.Raw;

/// <summary>
/// A raw disk image: guest offset = host offset. Every operation touches only the bytes asked for, so a sparse
/// 1 TiB file costs the same as a small one; the allocation map comes from the host's hole information.
/// </summary>
public sealed class RawImage : IBlockDevice, IAllocationMap
{
    private readonly IHostFile _file;
    private readonly bool _ownsFile;

    /// <param name="file">The image file; its length at open time is the device length.</param>
    /// <param name="writable">Allow writes (the host file must be writable too).</param>
    /// <param name="ownsFile">Dispose <paramref name="file"/> with this device.</param>
    public RawImage(IHostFile file, bool writable, bool ownsFile = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _ownsFile = ownsFile;
        Length = file.Length;
        CanWrite = writable && file.CanWrite;
    }

    public long Length { get; }

    public int SectorSize => 512;

    public bool CanWrite { get; }

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("raw", offset, destination.Length, Length);
        _file.Read(offset, destination);
    }

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, _file.Path ?? "raw image", "image is open read-only");
        }

        BlockDeviceGuard.CheckRange("raw", offset, source.Length, Length);
        _file.Write(offset, source);
    }

    public void Flush()
    {
        if (CanWrite)
        {
            _file.Flush();
        }
    }

    public IEnumerable<ByteRange> GetAllocatedRanges()
    {
        var ranges = (_file as ISparseHostFile)?.GetDataRanges();
        if (ranges is null)
        {
            return Length == 0 ? [] : [new ByteRange(0, Length)];
        }

        // Clip to the device length; the host file is not expected to grow, but stay inside the contract.
        var clipped = new List<ByteRange>(ranges.Count);
        foreach (var r in ranges)
        {
            var end = Math.Min(r.End, Length);
            if (r.Offset < end)
            {
                clipped.Add(new ByteRange(r.Offset, end - r.Offset));
            }
        }

        return clipped;
    }

    public void Dispose()
    {
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }
}
