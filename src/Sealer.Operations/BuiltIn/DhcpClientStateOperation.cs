namespace Sealer.Operations.BuiltIn;

/// <summary>virt-sysprep covers dhclient only; clones also share DUIDs and leases of dhcpcd, wicked and networkd.</summary>
internal sealed class DhcpClientStateOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/dhclient/*",
        "/var/lib/dhcp/*",
        "/var/lib/dhcpcd/*",
        "/var/lib/dhcpcd5/*",
        "/var/db/dhcpcd/*",
        "/etc/dhcpcd.duid",
        "/etc/dhcpcd.secret",
        "/var/lib/wicked/*",
        "/var/lib/systemd/network/*",
        "/var/lib/udhcpc/*",
    ];

    public override string Name => "dhcp-client-state";

    public override string Heading => "Remove DHCP client leases and DUIDs";

    protected override string Why =>
        "A clone that keeps the template's lease or DUID (dhclient, dhcpcd, wicked duid.xml/iaid.xml, networkd, busybox udhcpc on Alpine) asks for " +
        "the template's address. NetworkManager's leases are handled by net-nmstate.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
