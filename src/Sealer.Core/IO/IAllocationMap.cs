namespace Sealer.Core.IO;

/// <summary>
/// Implemented by devices that know which parts of them hold data (qcow2 mappings, holes of a sparse raw file,
/// an overlay's dirty pages). Copies and overlays use it so no operation walks the whole virtual size.
/// </summary>
public interface IAllocationMap
{
    /// <summary>Ranges that may hold non-zero data, in ascending order, not overlapping. Anything outside reads as zeros.</summary>
    IEnumerable<ByteRange> GetAllocatedRanges();
}
