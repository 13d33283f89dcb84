namespace Sealer.Operations.BuiltIn;

internal sealed class NetHostnameOperation : SealOperationBase
{
    private static readonly string[] IfcfgGlobs = ["/etc/sysconfig/network-scripts/ifcfg-*"];

    private static readonly string[] Keys = ["HOSTNAME=", "DHCP_HOSTNAME="];

    public override string Name => "net-hostname";

    public override string Heading => "Remove HOSTNAME and DHCP_HOSTNAME in network interface configuration";

    public override string Description =>
        $"Drops the {string.Join(" and ", Keys)} lines (the template's name, sent to DHCP servers) from:\n{PathList(IfcfgGlobs)}\n" +
        "On every distribution (virt-sysprep: Red Hat family only); a no-op where no ifcfg files exist.";

    public override void Perform(SealContext context)
    {
        foreach (var path in IfcfgGlobs.SelectMany(context.Files.Glob))
        {
            context.Files.RewriteLines(path, line => Keys.Any(k => line.TrimStart().StartsWith(k, StringComparison.Ordinal)) ? null : line);
        }
    }
}
