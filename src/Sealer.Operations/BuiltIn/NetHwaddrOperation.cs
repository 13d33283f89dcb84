using Sealer.Operations.Network;

namespace Sealer.Operations.BuiltIn;

internal sealed class NetHwaddrOperation : SealOperationBase
{
    private static readonly string[] IfcfgGlobs = ["/etc/sysconfig/network-scripts/ifcfg-*", "/etc/sysconfig/network/ifcfg-*"];

    private const string NetplanGlob = "/etc/netplan/*.yaml";

    private const string KeyfileGlob = "/etc/NetworkManager/system-connections/*.nmconnection";

    private static readonly string[] NetworkdGlobs = ["/etc/systemd/network/*.network", "/etc/systemd/network/*.link"];

    public override string Name => "net-hwaddr";

    public override string Heading => "Remove HWADDR (hard-coded MAC address) configuration";

    public override string Description =>
        "A clone has new MAC addresses, so configuration bound to the template's MACs would not apply. On every " +
        $"distribution, drops HWADDR= from\n{PathList(IfcfgGlobs)}\nmacaddress: (and a match:/set-name: left empty) from " +
        $"{NetplanGlob}, and mac-address= from {KeyfileGlob}. UUID= lines are kept: connection UUIDs are local to one " +
        $"machine. systemd-networkd MACAddress= matches in\n{PathList(NetworkdGlobs)}\nare reported, not edited (an empty " +
        "[Match] would match every interface).";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        foreach (var path in IfcfgGlobs.SelectMany(files.Glob))
        {
            files.RewriteLines(path, line => line.TrimStart().StartsWith("HWADDR=", StringComparison.Ordinal) ? null : line);
        }

        foreach (var path in files.Glob(NetplanGlob))
        {
            files.RewriteText(path, NetplanMacRemover.Rewrite);
        }

        foreach (var path in files.Glob(KeyfileGlob))
        {
            files.RewriteLines(path, line => line.TrimStart().StartsWith("mac-address=", StringComparison.Ordinal) ? null : line);
        }

        foreach (var path in NetworkdGlobs.SelectMany(files.Glob))
        {
            if (GuestFiles.SplitLines(files.ReadAllText(path) ?? string.Empty).Any(l => l.TrimStart().StartsWith("MACAddress=", StringComparison.Ordinal)))
            {
                context.Warn($"{path} matches or sets a MAC address (MACAddress=); clones will not match it, edit it by hand");
            }
        }
    }
}
