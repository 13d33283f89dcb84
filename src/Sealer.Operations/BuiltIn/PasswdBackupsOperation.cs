namespace Sealer.Operations.BuiltIn;

internal sealed class PasswdBackupsOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/group-",
        "/etc/gshadow-",
        "/etc/passwd-",
        "/etc/shadow-",
        "/etc/subuid-",
        "/etc/subgid-",
    ];

    public override string Name => "passwd-backups";

    public override string Heading => "Remove /etc/passwd- and similar backup files";

    protected override string Why => "shadow-utils backups keep old account and password data.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
