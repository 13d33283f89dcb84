using Sealer.Core.FileSystems;

namespace Sealer.Xfs;

/// <summary>Where an XFS file's blocks are, for <see cref="MappedFileStream"/>: the data fork's extents captured at
/// open time (an extent never crosses an AG, so its blocks are contiguous on the device); unwritten extents read as zeros.</summary>
internal sealed class XfsFileBlocks(XfsVolume vol, ExtentMap map) : IFileBlockMap
{
    public int BlockSize => vol.BlockSize;

    public static MappedFileStream Open(XfsVolume vol, ExtentMap map, long length) => new(new XfsFileBlocks(vol, map), length);

    public (long DeviceOffset, long RunEnd) Locate(long logical)
    {
        var (physical, runEnd) = BlockRuns.Locate(map.Extents, logical, long.MaxValue / vol.BlockSize);
        return (physical < 0 ? -1 : vol.Sb.FsBlockToOffset(physical), runEnd);
    }

    public void Read(long offset, Span<byte> destination) => vol.ReadAt(offset, destination);
}
