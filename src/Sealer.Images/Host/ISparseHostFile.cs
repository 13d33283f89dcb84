using Sealer.Core.IO;

namespace Sealer.Images.Host;

/// <summary>A host file that can report which byte ranges hold data (the rest are holes that read as zeros).</summary>
public interface ISparseHostFile : IHostFile
{
    /// <summary>Data ranges in ascending order; null when the host cannot tell (then assume everything is data).</summary>
    IReadOnlyList<ByteRange>? GetDataRanges();
}
