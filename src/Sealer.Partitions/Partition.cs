namespace Sealer.Partitions;

/// <summary>One partition as Linux sees it. Offsets and lengths are in bytes (512-byte sectors are assumed).</summary>
/// <param name="Number">Linux partition number: MBR primaries 1-4, logicals from 5; GPT entry index + 1.</param>
/// <param name="Offset">Start on the disk, in bytes.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="MbrType">MBR type byte (0x83 Linux...); null on GPT.</param>
/// <param name="TypeGuid">GPT partition type GUID; null on MBR.</param>
/// <param name="UniqueGuid">GPT unique partition GUID (PARTUUID); null on MBR.</param>
/// <param name="Name">GPT partition name (PARTLABEL); null on MBR.</param>
/// <param name="PartUuid">The text Linux matches for PARTUUID=: the GPT unique GUID in lower case, or for MBR
/// "SSSSSSSS-NN" (disk signature and partition number, both lower-case hex, as the kernel's msdos.c prints them).</param>
/// <param name="IsExtendedContainer">True for an MBR extended partition (a container of logicals, not a file system).</param>
public sealed record Partition(
    int Number,
    long Offset,
    long Length,
    byte? MbrType,
    Guid? TypeGuid,
    Guid? UniqueGuid,
    string? Name,
    string PartUuid,
    bool IsExtendedContainer);
