namespace Sealer.Operations.BuiltIn;

internal sealed class TmpFilesOperation : SealOperationBase
{
    private static readonly string[] Directories = ["/tmp", "/var/tmp"];

    public override string Name => "tmp-files";

    public override string Heading => "Remove temporary files";

    public override string Description =>
        $"Removes everything (dotfiles included) inside these directories, keeping the directories themselves:\n{PathList(Directories)}";

    public override void Perform(SealContext context)
    {
        foreach (var directory in Directories)
        {
            context.Files.DeleteDirectoryContents(directory);
        }
    }
}
