namespace Sealer.Operations.BuiltIn;

internal sealed class ContainerEngineIdOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/docker/engine-id",
        "/etc/docker/key.json",
        "/var/lib/docker/swarm",
    ];

    public override string Name => "container-engine-id";

    public override string Heading => "Remove Docker's engine ID, daemon key and swarm node identity";

    protected override string Why =>
        "dockerd identifies the engine by engine-id (and, before Docker 23, by the key pair in key.json): clones " +
        "sharing it look like one engine to Swarm and to registries. dockerd makes new ones at start. swarm/ holds " +
        "the node's swarm certificate and key: a clone would join as the template's node, so it leaves the swarm and " +
        "joins with a token of its own. Images, " +
        "containers, volumes and daemon.json are kept.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
