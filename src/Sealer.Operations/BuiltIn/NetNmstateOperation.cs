namespace Sealer.Operations.BuiltIn;

internal sealed class NetNmstateOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/NetworkManager/secret_key",
        "/var/lib/NetworkManager/*.lease",
        "/var/lib/NetworkManager/timestamps",
        "/var/lib/NetworkManager/seen-bssids",
        "/var/lib/NetworkManager/no-auto-default.state",
    ];

    public override string Name => "net-nmstate";

    public override string Heading => "Remove NetworkManager's secret key, leases and device history";

    protected override string Why =>
        "secret_key seeds stable-privacy IPv6 addresses, stable MACs and DHCP client IDs, so clones sharing it collide; " +
        "leases hand them the template's address; no-auto-default.state lists the template's MAC addresses. " +
        "NetworkManager recreates all of them.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
