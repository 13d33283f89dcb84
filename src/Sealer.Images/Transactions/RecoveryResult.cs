namespace Sealer.Images.Transactions;

/// <summary>What <see cref="InPlaceCommit.RecoverIfNeeded"/> found beside the image.</summary>
public enum RecoveryResult
{
    /// <summary>No redo log: the image is as the last commit left it.</summary>
    None,

    /// <summary>A complete redo log was applied: the interrupted commit is now finished.</summary>
    Completed,

    /// <summary>A torn redo log was removed: the interrupted commit never touched the image.</summary>
    Discarded,
}
