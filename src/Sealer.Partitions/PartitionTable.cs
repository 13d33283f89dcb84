namespace Sealer.Partitions;

/// <summary>The partitions of one disk, in table order (MBR primaries, then logicals; GPT entry order).</summary>
/// <param name="Scheme">Which table was found.</param>
/// <param name="DiskGuid">GPT disk GUID; null otherwise.</param>
/// <param name="MbrDiskSignature">MBR disk signature (offset 0x1B8); null otherwise.</param>
/// <param name="Partitions">Used entries only; empty when <paramref name="Scheme"/> is None.</param>
/// <param name="Warnings">Recoverable problems seen while reading (e.g. "primary GPT header is corrupt, using the backup").</param>
public sealed record PartitionTable(
    PartitionScheme Scheme,
    Guid? DiskGuid,
    uint? MbrDiskSignature,
    IReadOnlyList<Partition> Partitions,
    IReadOnlyList<string> Warnings);
