using System.Text.RegularExpressions;

namespace Sealer.Operations.BuiltIn;

internal sealed partial class CloudInitOperation : SealOperationBase
{
    private const string StateDirectory = "/var/lib/cloud";

    private static readonly string[] LogPatterns = ["/var/log/cloud-init.log*", "/var/log/cloud-init-output.log*"];

    /// <summary>What `cloud-init clean --configs network` removes: network configuration rendered by cloud-init.</summary>
    private static readonly string[] GeneratedNetworkConfigs =
    [
        "/etc/netplan/50-cloud-init.yaml",
        "/etc/network/interfaces.d/50-cloud-init.cfg",
        "/etc/network/interfaces.d/50-cloud-init",
        "/etc/NetworkManager/conf.d/99-cloud-init.conf",
        "/etc/NetworkManager/conf.d/30-cloud-init-ip6-addr-gen-mode.conf",
        "/etc/NetworkManager/system-connections/cloud-init-*.nmconnection",
        "/etc/systemd/network/10-cloud-init-*.network",
    ];

    private const string IfcfgGlob = "/etc/sysconfig/network-scripts/ifcfg-*";

    public override string Name => "cloud-init";

    public override string Heading => "Reset cloud-init state, logs and generated network configuration";

    public override string Description =>
        $"The offline equivalent of `cloud-init clean --logs --configs network`: removes everything in {StateDirectory}/ " +
        $"except seed/ (unless the seed is not kept), the logs\n{PathList(LogPatterns)}\nand the network configuration " +
        $"cloud-init rendered for the template's NIC:\n{PathList(GeneratedNetworkConfigs)}\n  {IfcfgGlob} whose header says " +
        "\"Created by cloud-init\"\nThe network files are kept (with a warning) when cloud-init is not installed or its " +
        "network configuration is disabled, since nothing would render them again; net-hwaddr still drops their MAC matches.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var keepSeed = context.Options.KeepCloudInitSeed;
        files.DeleteDirectoryContents(StateDirectory, entry => keepSeed && entry.Name == "seed");
        foreach (var pattern in LogPatterns)
        {
            files.DeleteGlob(pattern);
        }

        var generated = GeneratedNetworkConfigs.SelectMany(files.Glob)
            .Concat(files.Glob(IfcfgGlob).Where(p => files.ReadAllText(p)?.Contains("Created by cloud-init", StringComparison.Ordinal) == true))
            .ToList();
        if (generated.Count == 0)
        {
            return;
        }

        if (!context.Guest.HasCloudInit || NetworkConfigDisabled(files))
        {
            context.Warn("kept cloud-init generated network configuration (" + string.Join(", ", generated) +
                "): cloud-init is not installed or its network configuration is disabled, so nothing would render it again");
            return;
        }

        generated.ForEach(path => files.DeleteIfExists(path));
    }

    private static bool NetworkConfigDisabled(GuestFiles files) =>
        files.Glob("/etc/cloud/cloud.cfg.d/*.cfg").Prepend("/etc/cloud/cloud.cfg")
            .Select(files.ReadAllText)
            .Any(text => text is not null && DisabledNetwork().IsMatch(text));

    // "network: {config: disabled}" in flow or block style.
    [GeneratedRegex("""^\s*network:\s*\{?\s*config:\s*["']?disabled""", RegexOptions.Multiline)]
    private static partial Regex DisabledNetwork();
}
