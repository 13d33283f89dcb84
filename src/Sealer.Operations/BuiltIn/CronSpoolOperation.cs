using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class CronSpoolOperation : SealOperationBase
{
    private static readonly string[] FileTrees = ["/var/spool/cron", "/var/spool/at"];

    private static readonly string[] Patterns = ["/var/spool/atjobs/*", "/var/spool/atspool/*"];

    public override string Name => "cron-spool";

    public override string Heading => "Remove user at-jobs and cron-jobs";

    public override string Description =>
        $"Removes every file (directories are kept) below:\n{PathList(FileTrees)}\nexcept at's .SEQ counters, which are reset " +
        $"to 00000; and removes every match of:\n{PathList(Patterns)}";

    public override void Perform(SealContext context)
    {
        foreach (var tree in FileTrees)
        {
            context.Files.DeleteFilesBelow(tree, keep: path => PosixPath.GetFileName(path) == ".SEQ");
            foreach (var seq in context.Files.Walk(tree).Where(e => e.Entry.Name == ".SEQ" && e.Entry.Kind == FileKind.Regular))
            {
                context.Files.RewriteText(seq.Path, _ => "00000\n");
            }
        }

        foreach (var pattern in Patterns)
        {
            context.Files.DeleteGlob(pattern);
        }
    }
}
