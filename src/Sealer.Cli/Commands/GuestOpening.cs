using Sealer.Cli.Pipeline;

namespace Sealer.Cli.Commands;

/// <summary>Turns the shared options into an opened guest session.</summary>
internal static class GuestOpening
{
    /// <param name="completePendingLog">Only a real in-place seal completes a redo log left by an interrupted seal.</param>
    public static GuestSession Open(CommonArguments options, bool completePendingLog = false)
    {
        if ((options.Image is null) == (options.Directory is null))
        {
            throw new UsageException("give exactly one of -a IMAGE or --dir ROOTFS");
        }

        if (options.Format is not null and not "raw" and not "qcow2")
        {
            throw new UsageException($"unknown --format '{options.Format}' (raw or qcow2)");
        }

        return options.Image is not null
            ? GuestSession.OpenImage(options.Image, options.Format, options.AllowBacking, options.RootDevice, SealerClock.FromEnvironment(), completePendingLog)
            : GuestSession.OpenDirectory(options.Directory!, options.LiveHost, options.CrossMounts);
    }
}
