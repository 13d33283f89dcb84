namespace Sealer.Operations.BuiltIn;

internal sealed class MailSpoolOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/spool/mail/*",
        "/var/mail/*",
    ];

    public override string Name => "mail-spool";

    public override string Heading => "Remove email from the local mail spool directory";

    protected override string Why => "Local mail belongs to the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
