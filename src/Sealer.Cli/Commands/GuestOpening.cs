using Sealer.Cli.Pipeline;

namespace Sealer.Cli.Commands;

/// <summary>Turns the shared options into an opened guest session.</summary>
internal static class GuestOpening
{
    public static GuestSession Open(CommonArguments options)
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
            ? GuestSession.OpenImage(options.Image, options.Format, options.AllowBacking, options.RootDevice, SealerClock.FromEnvironment())
            : GuestSession.OpenDirectory(options.Directory!, options.LiveHost, options.CrossMounts);
    }
}
