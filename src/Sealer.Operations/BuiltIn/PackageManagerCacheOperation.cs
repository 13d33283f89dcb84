namespace Sealer.Operations.BuiltIn;

internal sealed class PackageManagerCacheOperation : SealOperationBase
{
    /// <summary>Download caches of apt, dnf, yum, zypper, pacman and apk (the last two are beyond virt-sysprep).</summary>
    private static readonly string[] CacheDirectories =
    [
        "/var/cache/apt/archives", "/var/cache/dnf", "/var/cache/yum", "/var/cache/zypp", "/var/cache/zypper",
        "/var/cache/pacman/pkg", "/var/cache/apk", "/etc/apk/cache", "/var/cache/PackageKit",
    ];

    public override string Name => "package-manager-cache";

    public override string Heading => "Remove package manager cache";

    public override string Description =>
        $"Downloaded packages and metadata caches only waste space in a template. Removes every file below these " +
        $"directories, keeping the directory structure (apt's partial/ and lock, dnf's repo dirs):\n{PathList(CacheDirectories)}";

    public override void Perform(SealContext context)
    {
        foreach (var directory in CacheDirectories.Where(context.Files.IsDirectory))
        {
            context.Files.DeleteFilesBelow(directory);
        }
    }
}
