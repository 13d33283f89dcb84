using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Transactions;

/// <summary>
/// Writes changes into an image file so that a crash at any moment leaves it exactly as before or exactly as after:
/// the run's writes are recorded in memory, written to a redo log beside the image and made durable, and only then
/// applied to the image. <see cref="RecoverIfNeeded"/> finishes or discards an interrupted commit.
/// </summary>
public static class InPlaceCommit
{
    /// <summary>
    /// Locks <paramref name="imagePath"/> exclusively (ImageBusyException "image is in use: PATH" when a VM or another
    /// run has it), finishes any interrupted commit, lets <paramref name="writeChanges"/> open the image format over a
    /// recording view of the file and write to it, then commits those writes through the redo log. If
    /// <paramref name="writeChanges"/> throws, or the log cannot be written (ImageBusyException), nothing is written.
    /// An I/O error while applying the durable log leaves the log in place; the next RecoverIfNeeded finishes the commit.
    /// </summary>
    public static void Commit(string imagePath, Action<IHostFile> writeChanges, CommitHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(writeChanges);
        var fullPath = Path.GetFullPath(imagePath);
        var logPath = RedoLog.PathFor(fullPath);
        using var image = LockedImageFile.Open(fullPath);
        RecoverLocked(image, logPath);

        using var recording = new RecordingHostFile(image);
        writeChanges(recording);
        if (!recording.HasChanges)
        {
            return;
        }

        // Who the image is right before the log is written: the log is bound to this file, length and mtime.
        var identity = HostFileOpener.StatHandle(image.Handle, fullPath);
        try
        {
            RedoLog.Write(logPath, recording, image.Handle, identity, hooks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The image is untouched; a partial log would only be discarded later, so remove it now.
            TryDelete(logPath);
            throw new ImageBusyException($"cannot write the redo log {logPath}: {e.Message}; the image was not changed", e);
        }

        var log = RedoLog.TryRead(logPath);
        if (log is null)
        {
            TryDelete(logPath);
            throw new ImageBusyException($"the redo log {logPath} did not read back intact; the image was not changed");
        }

        log.Apply(image.Handle, hooks);
    }

    /// <summary>
    /// Call before writing an image in place: applies a complete leftover redo log that proves it belongs to the image as
    /// it is now, or removes a torn one (it never reached the image). A log that does not match (written for another
    /// file, or the image changed since) is refused with InvalidImageException and left in place, the image untouched.
    /// </summary>
    public static RecoveryResult RecoverIfNeeded(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        var fullPath = Path.GetFullPath(imagePath);
        var logPath = RedoLog.PathFor(fullPath);
        if (!File.Exists(logPath))
        {
            return RecoveryResult.None;
        }

        using var image = LockedImageFile.Open(fullPath);
        return RecoverLocked(image, logPath);
    }

    /// <summary>
    /// What lies beside the image, without writing anything (for inspect, check, dry runs): no log, a torn log (harmless:
    /// it never reached the image), a pending log that a real in-place seal would complete, or a log that does not match.
    /// </summary>
    public static PendingRedoLog Inspect(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        var fullPath = Path.GetFullPath(imagePath);
        var logPath = RedoLog.PathFor(fullPath);
        if (!File.Exists(logPath))
        {
            return new PendingRedoLog(PendingRedoLogState.None, logPath, null);
        }

        var problem = Unverifiable(logPath, fullPath);
        if (problem is not null)
        {
            return new PendingRedoLog(PendingRedoLogState.Mismatch, logPath, problem);
        }

        var log = RedoLog.TryRead(logPath);
        if (log is null)
        {
            return new PendingRedoLog(PendingRedoLogState.Torn, logPath, null);
        }

        using var image = HostFileOpener.Open(fullPath, writable: false, FileShare.ReadWrite);
        var mismatch = log.Verify(image, HostFileOpener.StatHandle(image, fullPath));
        return mismatch is null
            ? new PendingRedoLog(PendingRedoLogState.Pending, logPath, null)
            : new PendingRedoLog(PendingRedoLogState.Mismatch, logPath, MismatchMessage(logPath, fullPath, mismatch));
    }

    private static string MismatchMessage(string logPath, string imagePath, string why) =>
        $"redo log {logPath} does not match {imagePath}: {why}; left in place, image not touched (remove the log only if the image was meant to change since the interrupted seal)";

    /// <summary>A log that is not a regular file (a planted FIFO would block the read) or of an older format cannot be
    /// checked against the image; it is refused, never guessed at.</summary>
    private static string? Unverifiable(string logPath, string imagePath)
    {
        var kind = HostFileOpener.StatPath(logPath).Kind;
        if (kind != Core.FileSystems.FileKind.Regular)
        {
            return MismatchMessage(logPath, imagePath, $"it is not a regular file ({kind})");
        }

        var version = RedoLog.PeekVersion(logPath);
        return version is 1
            ? MismatchMessage(logPath, imagePath, "it was written by an older Sealer (log version 1, without the image's identity and before-image checksums), so it cannot be proven to belong to the image")
            : null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: RecoverIfNeeded discards a torn log anyway.
        }
    }

    private static RecoveryResult RecoverLocked(LockedImageFile image, string logPath)
    {
        if (!File.Exists(logPath))
        {
            return RecoveryResult.None;
        }

        var imagePath = image.Path ?? logPath[..^RedoLog.Suffix.Length];
        var unverifiable = Unverifiable(logPath, imagePath);
        if (unverifiable is not null)
        {
            throw new InvalidImageException(unverifiable);
        }

        var log = RedoLog.TryRead(logPath);
        if (log is null)
        {
            RedoLog.Delete(logPath, hooks: null);
            return RecoveryResult.Discarded;
        }

        var mismatch = log.Verify(image.Handle, HostFileOpener.StatHandle(image.Handle, imagePath));
        if (mismatch is not null)
        {
            throw new InvalidImageException(MismatchMessage(logPath, imagePath, mismatch));
        }

        log.Apply(image.Handle, hooks: null);
        return RecoveryResult.Completed;
    }
}
