using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class BlkidTabOperation : SealOperationBase
{
    private static readonly string[] Paths =
    [
        "/var/run/blkid.tab", "/var/run/blkid.tab.old", "/etc/blkid/blkid.tab", "/etc/blkid/blkid.tab.old",
        "/etc/blkid.tab", "/etc/blkid.tab.old", "/dev/.blkid.tab", "/dev/.blkid.tab.old",
    ];

    public override string Name => "blkid-tab";

    public override string Heading => "Remove blkid tab in the guest";

    public override string Description =>
        $"The blkid cache records the template's devices. Removes these files unless they are symlinks:\n{PathList(Paths)}";

    public override void Perform(SealContext context)
    {
        foreach (var path in Paths.Where(p => context.Files.Stat(p)?.Kind is not (null or FileKind.Symlink)))
        {
            context.Files.DeleteIfExists(path);
        }
    }
}
