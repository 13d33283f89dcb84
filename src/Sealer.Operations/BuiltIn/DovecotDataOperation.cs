namespace Sealer.Operations.BuiltIn;

internal sealed class DovecotDataOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/dovecot/*",
    ];

    public override string Name => "dovecot-data";

    public override string Heading => "Remove Dovecot (mail server) data";

    protected override string Why => "Mail server state belongs to the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
