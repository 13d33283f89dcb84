using Sealer.Core.FileSystems;
using System.Text.RegularExpressions;
using Sealer.Operations.Network;

namespace Sealer.Operations.BuiltIn;

internal sealed partial class NetHwaddrOperation : SealOperationBase
{
    private static readonly string[] IfcfgGlobs = ["/etc/sysconfig/network-scripts/ifcfg-*", "/etc/sysconfig/network/ifcfg-*"];

    /// <summary>HWADDR= binds a profile to a MAC; MACADDR= (Red Hat) and LLADDR= (SUSE) set the MAC.</summary>
    private static readonly string[] IfcfgKeys = ["HWADDR=", "MACADDR=", "LLADDR="];

    private static readonly string[] InterfacesGlobs = ["/etc/network/interfaces", "/etc/network/interfaces.d/*"];

    private const string NetplanGlob = "/etc/netplan/*.yaml";

    private const string KeyfileGlob = "/etc/NetworkManager/system-connections/*.nmconnection";

    private static readonly string[] NetworkdGlobs =
        ["/etc/systemd/network/*.network", "/etc/systemd/network/*.link", "/etc/systemd/network/*.netdev"];

    public override string Name => "net-hwaddr";

    public override string Heading => "Remove HWADDR (hard-coded MAC address) configuration";

    public override string Description =>
        "A clone has new MAC addresses: configuration bound to the template's MACs would not apply, and a MAC that is " +
        "set would be the same on every clone. On every distribution:\n" +
        $"  drops {string.Join(", ", IfcfgKeys)} from {string.Join(" and ", IfcfgGlobs)};\n" +
        $"  drops `hwaddress [ether] MAC` from {string.Join(" and ", InterfacesGlobs)};\n" +
        $"  drops mac-address= and cloned-mac-address=MAC (not stable/random/permanent/preserve) from {KeyfileGlob} " +
        "(UUID= lines are kept: connection UUIDs are local to one machine);\n" +
        $"  drops MACAddress= from the [Link] and [NetDev] sections of {string.Join(", ", NetworkdGlobs)} (networkd then " +
        "derives a per-machine MAC from the machine ID); a [Match] MACAddress= is kept and reported with its line (an " +
        "empty [Match] would match every interface);\n" +
        $"  in {NetplanGlob}: a device's own macaddress: goes; a match: macaddress goes only where the stanza still " +
        "matches a clone's interface (other match keys remain, or the stanza ID is a kernel name like eth0/enp1s0 " +
        "without set-name; in cloud-init's generated 50-cloud-init.yaml also with set-name equal to that ID). An " +
        "operator's stanza renamed by set-name or named freely would then match nothing, so it is kept and reported " +
        "with file and line.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        foreach (var path in IfcfgGlobs.SelectMany(files.Glob))
        {
            files.RewriteLines(path, line => IfcfgKeys.Any(k => line.TrimStart().StartsWith(k, StringComparison.Ordinal)) ? null : line);
        }

        foreach (var path in InterfacesGlobs.SelectMany(files.Glob).Where(files.IsRegularFile))
        {
            files.RewriteLines(path, line => InterfacesHwaddress().IsMatch(line) ? null : line);
        }

        foreach (var path in files.Glob(NetplanGlob))
        {
            var text = files.ReadAllText(path);
            if (text is null || !files.IsRegularFile(path))
            {
                continue;
            }

            var generated = PosixPath.GetFileName(path) == "50-cloud-init.yaml" ||
                text.Contains("generated from information provided by the datasource", StringComparison.Ordinal);
            var result = NetplanMacRemover.Rewrite(text, generated);
            files.RewriteText(path, _ => result.Text);
            result.Kept.ToList().ForEach(k => context.Warn($"{path} {k}"));
        }

        foreach (var path in files.Glob(KeyfileGlob))
        {
            files.RewriteLines(path, line => KeyfileMac().IsMatch(line) ? null : line);
        }

        foreach (var path in NetworkdGlobs.SelectMany(files.Glob))
        {
            RewriteNetworkd(context, path);
        }
    }

    private static void RewriteNetworkd(SealContext context, string path)
    {
        var section = string.Empty;
        var number = 0;
        context.Files.RewriteLines(path, line =>
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
            {
                section = trimmed;
                return line;
            }

            if (!trimmed.StartsWith("MACAddress=", StringComparison.Ordinal) && !trimmed.StartsWith("PermanentMACAddress=", StringComparison.Ordinal))
            {
                return line;
            }

            if (section is "[Link]" or "[NetDev]")
            {
                return null;
            }

            context.Warn($"{path} line {number}: {section} {trimmed.Split('=')[0]}= matches the template's MAC address; " +
                "clones will not match it; kept (an emptied [Match] would match every interface): match by Name= or Path= instead");
            return line;
        });
    }

    [GeneratedRegex(@"^\s*hwaddress\s+(ether\s+)?([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\s*$")]
    private static partial Regex InterfacesHwaddress();

    [GeneratedRegex(@"^\s*(mac-address|cloned-mac-address)\s*=\s*([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\s*$|^\s*mac-address\s*=")]
    private static partial Regex KeyfileMac();
}
