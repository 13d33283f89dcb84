namespace Sealer.Operations.BuiltIn;

internal sealed class SambaDbLogOperation : SealOperationBase
{
    private const string LogDirectory = "/var/log/samba";

    private const string StateDirectory = "/var/lib/samba";

    public override string Name => "samba-db-log";

    public override string Heading => "Remove the database and log files of Samba";

    public override string Description =>
        $"Samba's databases hold the template's machine account and secrets (secrets.tdb, passdb.tdb). Removes every " +
        $"file below {LogDirectory} and {StateDirectory}, keeping the directories: smbd and winbindd refuse to start " +
        $"when {StateDirectory}/private (mode 0700) is missing, and they recreate the databases in it.";

    public override void Perform(SealContext context)
    {
        context.Files.DeleteFilesBelow(LogDirectory);
        context.Files.DeleteFilesBelow(StateDirectory);
    }
}
