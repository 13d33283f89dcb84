namespace Sealer.Partitions;

/// <summary>The kind of partition table found on a disk.</summary>
public enum PartitionScheme
{
    /// <summary>No partition table: a file system (or nothing) on the whole disk.</summary>
    None,

    /// <summary>An MBR (DOS) table, with optional extended/logical partitions.</summary>
    Mbr,

    /// <summary>A GUID partition table (a hybrid MBR also reads as GPT).</summary>
    Gpt,
}
