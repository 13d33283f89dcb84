namespace Sealer.Images.Transactions;

/// <summary>Each host write or fsync of an in-place commit, in the order they happen (crash-test hook points).</summary>
public enum CommitStep
{
    LogWrite,
    LogFlush,
    LogDirectoryFlush,
    ImageTruncate,
    ImageSetLength,
    ImageWrite,
    ImageFlush,
    LogDelete,
    DirectoryFlush,
}
