namespace Sealer.Operations.BuiltIn;

internal sealed class BashHistoryOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/root/.bash_history",
        "/home/*/.bash_history",
    ];

    public override string Name => "bash-history";

    public override string Heading => "Remove the bash history in the guest";

    protected override string Why => "Shell history can hold secrets typed while building the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
