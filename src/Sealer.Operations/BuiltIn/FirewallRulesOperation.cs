namespace Sealer.Operations.BuiltIn;

internal sealed class FirewallRulesOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/sysconfig/iptables",
        "/etc/firewalld/services/*",
        "/etc/firewalld/zones/*",
    ];

    public override string Name => "firewall-rules";

    public override string Heading => "Remove the firewall rules";

    public override bool EnabledByDefault => false;

    protected override string Why => "Off by default: removing custom rules may expose guests to the network.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
