namespace Sealer.Operations.BuiltIn;

internal sealed class YumUuidOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/yum/uuid",
    ];

    public override string Name => "yum-uuid";

    public override string Heading => "Remove the yum UUID";

    protected override string Why => "yum's UUID identifies the installation to mirrors and must differ per machine.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
