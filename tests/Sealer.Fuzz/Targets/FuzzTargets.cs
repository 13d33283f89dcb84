namespace Sealer.Fuzz.Targets;

/// <summary>Every fuzz target by name.</summary>
public static class FuzzTargets
{
    /// <summary>Inputs larger than this are cut (libFuzzer: -max_len; AFL: the same cut in the harness).</summary>
    public const int MaxInputLength = 4 << 20;

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("qcow2", "qcow2 header, extensions, snapshot table, L1/L2/refcounts, reads", InputFormat.Qcow2, ImageTargets.Qcow2Read),
        new("qcow2-write", "qcow2 opened writable: writes, flush, read back, reopen", InputFormat.Qcow2, ImageTargets.Qcow2Write),
        new("partitions", "MBR with logicals, GPT primary/backup, partition devices", InputFormat.Disk, ImageTargets.Partitions),
        new("ext4", "ext2/3/4 open read-only and a walk of the whole tree", InputFormat.Ext4, Ext4Targets.Ext4Read),
        new("journal", "JBD2 replay on a writable open (needs_recovery), then the replayed tree", InputFormat.Ext4WithJournal, Ext4Targets.JournalReplay),
        new("write", "a whole seal (default operations) and a write script over an overlay, flush, reopen", InputFormat.Ext4, Ext4Targets.WritePath),
    ];

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}' (known: {string.Join(", ", All.Select(t => t.Name))})", nameof(name));

    /// <summary>Runs one input: null when it succeeded, otherwise the documented error that refused it. Any other
    /// exception propagates (libFuzzer and AFL report it as a crash).</summary>
    public static Exception? Execute(FuzzTarget target, ReadOnlySpan<byte> input)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (input.Length > MaxInputLength)
        {
            input = input[..MaxInputLength];
        }

        try
        {
            target.Body(input);
            return null;
        }
        catch (Exception e) when (Contract.IsDocumented(e))
        {
            return e;
        }
    }
}
