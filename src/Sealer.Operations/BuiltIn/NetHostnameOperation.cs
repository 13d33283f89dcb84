namespace Sealer.Operations.BuiltIn;

internal sealed class NetHostnameOperation : SealOperationBase
{
    private static readonly string[] IfcfgGlobs = ["/etc/sysconfig/network-scripts/ifcfg-*"];

    private static readonly string[] Keys = ["HOSTNAME=", "DHCP_HOSTNAME="];

    private static readonly string[] InterfacesGlobs = ["/etc/network/interfaces", "/etc/network/interfaces.d/*"];

    public override string Name => "net-hostname";

    public override string Heading => "Remove HOSTNAME and DHCP_HOSTNAME in network interface configuration";

    public override string Description =>
        $"Drops the {string.Join(" and ", Keys)} lines (the template's name, sent to DHCP servers) from:\n{PathList(IfcfgGlobs)}\n" +
        $"and the `hostname NAME` option lines (ifupdown's DHCP host name) from:\n{PathList(InterfacesGlobs)}\n" +
        "The DHCP client then sends the clone's own name. On every distribution (virt-sysprep: Red Hat family only); a " +
        "no-op where none of these files exist.";

    public override void Perform(SealContext context)
    {
        foreach (var path in IfcfgGlobs.SelectMany(context.Files.Glob))
        {
            context.Files.RewriteLines(path, line => Keys.Any(k => line.TrimStart().StartsWith(k, StringComparison.Ordinal)) ? null : line);
        }

        foreach (var path in InterfacesGlobs.SelectMany(context.Files.Glob).Where(context.Files.IsRegularFile))
        {
            // Only the indented iface option, never a top-level word: "hostname" is not an ifupdown stanza keyword.
            context.Files.RewriteLines(path, line =>
                line.Length > 0 && char.IsWhiteSpace(line[0]) && line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is ["hostname", _] ? null : line);
        }
    }
}
