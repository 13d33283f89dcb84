namespace Sealer.Ext4.Journal;

/// <summary>What a journal replay did: committed transactions applied, and distinct filesystem blocks written
/// (the journal superblock update is not counted).</summary>
public sealed record JournalReplayResult(int TransactionsReplayed, int BlocksWritten);
