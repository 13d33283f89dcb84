namespace Sealer.Ext4.Journal;

/// <summary>Maps a journal-relative block number (0 = the journal superblock) to a filesystem block number.</summary>
public delegate long JournalBlockMap(long journalBlock);
