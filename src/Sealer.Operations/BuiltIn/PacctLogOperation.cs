using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class PacctLogOperation : SealOperationBase
{
    /// <summary>Red Hat keeps process accounting in /var/account, Debian in /var/log/account.</summary>
    private static readonly string[] Directories = ["/var/account", "/var/log/account"];

    public override string Name => "pacct-log";

    public override string Heading => "Remove the process accounting log files";

    public override string Description =>
        $"Process accounting logs record the template's commands. Removes pacct* in:\n{PathList(Directories)}\n" +
        "then creates an empty pacct (with the old file's mode) so accounting can resume.";

    public override void Perform(SealContext context)
    {
        foreach (var directory in Directories)
        {
            var current = context.Files.Stat(PosixPath.Combine(directory, "pacct"));
            if (context.Files.DeleteGlob(PosixPath.Combine(directory, "pacct*")) > 0)
            {
                var mode = current?.Mode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite);
                context.Files.WriteText(PosixPath.Combine(directory, "pacct"), string.Empty, mode);
            }
        }
    }
}
