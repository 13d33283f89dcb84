namespace Sealer.Operations.BuiltIn;

/// <summary>Agents that enroll a machine once and keep its identity in a file: configuration management, overlay
/// networks, cloud agents. Each makes a new identity (or enrolls again) when the file is missing.</summary>
internal sealed class AgentIdentitiesOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/salt/minion_id",
        "/etc/salt/pki/minion/*",
        "/etc/chef/client.pem",
        "/var/lib/tailscale/tailscaled.state",
        "/var/lib/zerotier-one/identity.secret",
        "/var/lib/zerotier-one/identity.public",
        "/var/lib/waagent/*",
        "/var/lib/amazon/ssm/registration",
        "/var/lib/amazon/ssm/Vault/*",
    ];

    public override string Name => "agent-identities";

    public override string Heading => "Remove enrolled agents' machine identities (Salt, Chef, Tailscale, ZeroTier, waagent, SSM)";

    protected override string Why =>
        "Each of these agents enrolled the template once and keeps the result in a file: clones sharing it act as one " +
        "node (Salt minion ID and keys, Chef client key, Tailscale node key, ZeroTier identity, Azure's waagent state, " +
        "an SSM hybrid activation). salt-minion and zerotier-one make new keys at start (the minion ID from the clone's " +
        "host name); Chef, Tailscale and SSM clones enroll again with the operator's bootstrap key, auth key or " +
        "activation. Agent configuration is kept.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
