namespace Sealer.Operations.BuiltIn;

internal sealed class AppHistoryOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/root/.ash_history",
        "/root/.sh_history",
        "/root/.local/share/fish/fish_history",
        "/root/.python_history",
        "/root/.lesshst",
        "/root/.viminfo",
        "/root/.wget-hsts",
        "/root/.mysql_history",
        "/root/.psql_history",
        "/root/.sqlite_history",
        "/root/.node_repl_history",
        "/home/*/.ash_history",
        "/home/*/.sh_history",
        "/home/*/.local/share/fish/fish_history",
        "/home/*/.python_history",
        "/home/*/.lesshst",
        "/home/*/.viminfo",
        "/home/*/.wget-hsts",
        "/home/*/.mysql_history",
        "/home/*/.psql_history",
        "/home/*/.sqlite_history",
        "/home/*/.node_repl_history",
    ];

    public override string Name => "app-history";

    public override string Heading => "Remove other command-line histories (ash, fish, python, less, vim, wget, database shells)";

    protected override string Why => "Beyond bash and zsh (see bash-history, zsh-history), interactive tools keep histories that can hold secrets.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
