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
        var index = map.Find(logical);
        if (index >= 0)
        {
            var e = map.Extents[index];
            return (e.Unwritten ? -1 : vol.Sb.FsBlockToOffset(e.Physical + (logical - e.Logical)), e.End);
        }

        var next = ~index;
        return (-1, next < map.Extents.Count ? map.Extents[next].Logical : long.MaxValue / vol.BlockSize);
    }

    public void Read(long offset, Span<byte> destination) => vol.ReadAt(offset, destination);
}
