namespace Sealer.Operations.BuiltIn;

internal sealed class SmoltUuidOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/sysconfig/hw-uuid",
        "/etc/smolt/uuid",
        "/etc/smolt/hw-uuid",
    ];

    public override string Name => "smolt-uuid";

    public override string Heading => "Remove the Smolt hardware UUID";

    protected override string Why => "The Smolt hardware profile UUID identifies the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
