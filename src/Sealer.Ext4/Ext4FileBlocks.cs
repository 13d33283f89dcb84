using Sealer.Core.FileSystems;

namespace Sealer.Ext4;

/// <summary>Where an ext4 file's blocks are, for <see cref="MappedFileStream"/>: the extents (or block map) captured
/// at open time; unwritten extents read as zeros.</summary>
internal sealed class Ext4FileBlocks(Ext4Context ctx, FileMap map) : IFileBlockMap
{
    public int BlockSize => ctx.BlockSize;

    public static MappedFileStream Open(Ext4Context ctx, FileMap map, long length) => new(new Ext4FileBlocks(ctx, map), length);

    public (long DeviceOffset, long RunEnd) Locate(long logical)
    {
        var (physical, runEnd) = BlockRuns.Locate(map.Extents, logical, long.MaxValue / ctx.BlockSize);
        return (physical < 0 ? -1 : physical * ctx.BlockSize, runEnd);
    }

    public void Read(long offset, Span<byte> destination) => ctx.Cache.Device.Read(offset, destination);
}
