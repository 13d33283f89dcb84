using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Guest.Inspection;

namespace Sealer.Operations;

/// <summary>
/// Runs operations in (Order, Name) order over one guest root. The first operation that throws a
/// <see cref="SealerException"/> is recorded as failed and the run stops there: later operations are reported as
/// not-run, and <see cref="SealReport.Succeeded"/> is false so the caller discards the changes instead of committing a
/// half-sealed guest. A corrupt or unsupported image (<see cref="InvalidImageException"/>,
/// <see cref="UnsupportedFeatureException"/>, or a host file system reporting corruption: <see cref="FsError.Corrupt"/>)
/// is not an operation's failure: it propagates so the caller reports the image as invalid (exit 3). Any other exception is a bug and propagates.
/// </summary>
public static class SealRunner
{
    public static SealReport Run(
        IFileSystem guestRoot,
        GuestInfo guest,
        IReadOnlyList<ISealOperation> operations,
        SealOptions options,
        Random? random = null,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(guestRoot);
        ArgumentNullException.ThrowIfNull(operations);
        time ??= TimeProvider.System;
        var started = time.GetUtcNow();
        var results = new List<OperationResult>();
        var stopped = false;
        foreach (var op in operations.DistinctBy(o => o.Name).OrderBy(o => o.Order).ThenBy(o => o.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stopped)
            {
                results.Add(new OperationResult(op.Name, OperationStatus.NotRun, [], [], null));
                continue;
            }

            if (op.Unsupported is not null || !op.AppliesTo(guest))
            {
                var reason = op.Unsupported is { } unsupported ? "not supported: " + unsupported : op.NotApplicableReason(guest);
                results.Add(new OperationResult(op.Name, OperationStatus.NotApplicable, [], [], null) { Reason = reason });
                continue;
            }

            var context = new SealContext(new GuestFiles(guestRoot, op.Name), guest, options, random, time);
            try
            {
                op.Perform(context);
                results.Add(new OperationResult(op.Name, OperationStatus.Applied, [.. context.Files.Actions], [.. context.Warnings, .. context.Files.Warnings], null));
            }
            catch (SealerException e) when (e is not InvalidImageException and not UnsupportedFeatureException and
                                                  not GuestFileSystemException { Code: FsError.Corrupt })
            {
                results.Add(new OperationResult(op.Name, OperationStatus.Failed, [.. context.Files.Actions], [.. context.Warnings, .. context.Files.Warnings], e.Message));
                stopped = true;
            }
        }

        return new SealReport(started, time.GetUtcNow(), results);
    }
}
