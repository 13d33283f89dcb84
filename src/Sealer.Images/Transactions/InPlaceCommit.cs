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

        try
        {
            RedoLog.Write(logPath, recording, hooks);
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

    /// <summary>Call before opening an image: applies a complete leftover redo log, or removes a torn one.</summary>
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

        var log = RedoLog.TryRead(logPath);
        if (log is null)
        {
            RedoLog.Delete(logPath, hooks: null);
            return RecoveryResult.Discarded;
        }

        log.Apply(image.Handle, hooks: null);
        return RecoveryResult.Completed;
    }
}
