namespace Sealer.Operations.BuiltIn;

internal sealed class LvmHistoryOperation : SealOperationBase
{
    private static readonly string[] Directories = ["/etc/lvm/backup", "/etc/lvm/archive"];

    public override string Name => "lvm-history";

    public override string Heading => "Remove LVM metadata backups and archives";

    public override string Description =>
        "LVM writes a copy of the volume group metadata after (backup) and before (archive) every change; each names " +
        "the template's host (creation_host) and records its history. Removes every file below\n" +
        $"{PathList(Directories)}\nkeeping the directories; LVM writes a new backup at the clone's next metadata " +
        "change (or `vgcfgbackup`). lvm.conf is kept.";

    public override void Perform(SealContext context)
    {
        foreach (var directory in Directories)
        {
            context.Files.DeleteFilesBelow(directory);
        }
    }
}
