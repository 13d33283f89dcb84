using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class BackupFilesOperation : SealOperationBase
{
    private static readonly string[] Roots = ["/etc", "/root", "/srv", "/tmp", "/var"];

    private static readonly string[] Suffixes = [".bak", "~"];

    public override string Name => "backup-files";

    public override string Heading => "Remove editor backup files from the guest";

    public override string Description =>
        $"Editor and tool backups can keep old secrets and configuration. Removes regular files named *{string.Join(" or *", Suffixes)} " +
        $"anywhere below:\n{PathList(Roots)}";

    public override void Perform(SealContext context)
    {
        foreach (var root in Roots)
        {
            var victims = context.Files.Walk(root)
                .Where(e => e.Entry.Kind == FileKind.Regular && Suffixes.Any(s => e.Entry.Name.EndsWith(s, StringComparison.Ordinal)))
                .Select(e => e.Path)
                .ToList();
            victims.ForEach(path => context.Files.DeleteIfExists(path));
        }
    }
}
