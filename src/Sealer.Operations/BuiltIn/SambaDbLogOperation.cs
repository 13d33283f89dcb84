namespace Sealer.Operations.BuiltIn;

internal sealed class SambaDbLogOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/log/samba/old/*",
        "/var/log/samba/*",
        "/var/lib/samba/*/*",
        "/var/lib/samba/*",
    ];

    public override string Name => "samba-db-log";

    public override string Heading => "Remove the database and log files of Samba";

    protected override string Why => "Samba's databases hold the template's machine account and secrets.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
