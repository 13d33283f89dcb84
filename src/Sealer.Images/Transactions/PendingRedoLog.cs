namespace Sealer.Images.Transactions;

/// <summary>What <see cref="InPlaceCommit.Inspect"/> found beside an image.</summary>
public enum PendingRedoLogState
{
    /// <summary>No redo log.</summary>
    None,

    /// <summary>An incomplete log: the interrupted commit never wrote the image; a real seal removes it.</summary>
    Torn,

    /// <summary>A complete log that belongs to the image as it is now: a real in-place seal completes it.</summary>
    Pending,

    /// <summary>A log that cannot be proven to belong to the image: it is never applied (see <see cref="PendingRedoLog.Problem"/>).</summary>
    Mismatch,
}

/// <summary>A redo log beside an image and its state; <paramref name="Problem"/> is the one-line refusal for a mismatch.</summary>
public sealed record PendingRedoLog(PendingRedoLogState State, string LogPath, string? Problem);
