using System.Text.RegularExpressions;
using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed partial class DropbearHostkeysOperation : SealOperationBase
{
    private const string KeyGlob = "/etc/dropbear/dropbear_*_host_key";

    public override string Name => "dropbear-hostkeys";

    public override string Heading => "Remove Dropbear's SSH host keys";

    public override string Description =>
        $"Dropbear (Alpine's and small Debian images' SSH server) keeps its host keys in {KeyGlob}; clones sharing " +
        "them share a host identity. Removes them. Alpine's dropbear init script makes missing keys at start; where " +
        "neither the init script nor the systemd unit makes keys (no dropbearkey call, no -R), a warning says to run " +
        "dropbear with -R (create host keys as required) or dropbearkey in each clone.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        if (files.DeleteGlob(KeyGlob) == 0)
        {
            return;
        }

        var generators = SystemdUnits.UnitDirectories.Select(d => d + "/dropbear.service").Append("/etc/init.d/dropbear").Append("/etc/default/dropbear")
            .Select(files.ReadAllText).OfType<string>();
        if (!generators.Any(t => t.Contains("dropbearkey", StringComparison.Ordinal) || CreateKeysOption().IsMatch(t)))
        {
            context.Warn($"{KeyGlob} removed and nothing in the guest makes new ones: start dropbear with -R (DROPBEAR_EXTRA_ARGS in /etc/default/dropbear) or run dropbearkey in each clone");
        }
    }

    /// <summary>dropbear's -R (create host keys as required) as a word of a command line or of DROPBEAR_EXTRA_ARGS.</summary>
    [GeneratedRegex(@"(^|[\s""'=])-R($|[\s""'])", RegexOptions.Multiline)]
    private static partial Regex CreateKeysOption();
}
