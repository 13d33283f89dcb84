namespace Sealer.Operations.BuiltIn;

internal sealed class DhcpServerStateOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/dhcpd/*",
    ];

    public override string Name => "dhcp-server-state";

    public override string Heading => "Remove DHCP server leases";

    protected override string Why => "Leases handed out by the template's DHCP server are meaningless for a clone.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
