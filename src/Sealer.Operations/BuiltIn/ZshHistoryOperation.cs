namespace Sealer.Operations.BuiltIn;

internal sealed class ZshHistoryOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/root/.zsh_history",
        "/home/*/.zsh_history",
    ];

    public override string Name => "zsh-history";

    public override string Heading => "Remove the zsh history in the guest";

    protected override string Why => "Shell history can hold secrets typed while building the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
