namespace Sealer.Ext4.Journal;

/// <summary>Revoked filesystem blocks, each with the newest transaction that revoked it.</summary>
internal sealed class RevokeTable
{
    private readonly Dictionary<ulong, uint> _records = [];

    public int Count => _records.Count;

    public void Add(ulong block, uint tid)
    {
        if (!_records.TryGetValue(block, out var existing) || JournalFormat.TidGreater(tid, existing))
        {
            _records[block] = tid;
        }
    }

    /// <summary>A revoke applies to copies of the block in transactions up to and including the revoking one.</summary>
    public bool IsRevoked(ulong block, uint tid) =>
        _records.TryGetValue(block, out var revokedIn) && !JournalFormat.TidGreater(tid, revokedIn);
}
