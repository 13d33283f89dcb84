using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class PacctLogOperation : SealOperationBase
{
    /// <summary>Red Hat keeps process accounting in /var/account, Debian in /var/log/account.</summary>
    private static readonly string[] Directories = ["/var/account", "/var/log/account"];

    public override string Name => "pacct-log";

    public override string Heading => "Remove the process accounting log files";

    public override string Description =>
        $"Process accounting logs record the template's commands. In:\n{PathList(Directories)}\n" +
        "rotated logs (pacct.*) are removed and pacct is truncated (keeping its mode and owner), or created empty " +
        "when only rotated logs existed, so accounting can resume. An empty pacct is left alone: sealing a sealed " +
        "guest changes nothing.";

    public override void Perform(SealContext context)
    {
        foreach (var directory in Directories)
        {
            var pacct = PosixPath.Combine(directory, "pacct");
            var rotatedMode = context.Files.Glob(PosixPath.Combine(directory, "pacct.*")).Select(context.Files.Stat).FirstOrDefault()?.Mode;
            var rotated = context.Files.DeleteGlob(PosixPath.Combine(directory, "pacct.*"));
            if (context.Files.Exists(pacct))
            {
                context.Files.TruncateIfExists(pacct);
            }
            else if (rotated > 0)
            {
                context.Files.WriteText(pacct, string.Empty, rotatedMode ?? (UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        }
    }
}
