namespace Sealer.Operations.BuiltIn;

internal sealed class SssdDbLogOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/log/sssd/*",
        "/var/lib/sss/db/*",
    ];

    public override string Name => "sssd-db-log";

    public override string Heading => "Remove the database and log files of sssd";

    protected override string Why => "sssd's cache holds the template's identity data and credentials.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
