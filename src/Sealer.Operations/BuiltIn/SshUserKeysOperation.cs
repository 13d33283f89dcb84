using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

/// <summary>The part of virt-sysprep's ssh-userdir (a default there) that is per-machine: keys and learned hosts.
/// authorized_keys and config stay; ssh-userdir (off by default) still removes whole .ssh directories.</summary>
internal sealed class SshUserKeysOperation : SealOperationBase
{
    private static readonly string[] Directories = ["/root/.ssh", "/home/*/.ssh"];

    private static readonly string[] KnownHosts = ["known_hosts", "known_hosts.old", "known_hosts2"];

    public override string Name => "ssh-user-keys";

    public override string Heading => "Remove users' SSH private keys and known_hosts, keeping authorized_keys";

    public override string Description =>
        $"Every clone would hold the same user key pairs (anyone holding one clone's key can log in wherever another " +
        $"clone's user can) and the template's learned hosts. In\n{PathList(Directories)}\nremoves id_* key pairs, " +
        $"any other file that is an OpenSSH/PEM private key (with its .pub), and {string.Join(", ", KnownHosts)}. " +
        "authorized_keys, config and everything else are kept (operators' access to the clones); users make new keys " +
        "with ssh-keygen. ssh-userdir (off by default) removes the directories altogether.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        foreach (var directory in Directories.SelectMany(files.Glob).Where(files.IsDirectory))
        {
            var entries = files.ListDirectory(directory).Where(e => e.Kind == FileKind.Regular).Select(e => e.Name).ToList();
            var privateKeys = entries.Where(n => !n.EndsWith(".pub", StringComparison.Ordinal) &&
                (n.StartsWith("id_", StringComparison.Ordinal) || IsPrivateKey(files, PosixPath.Combine(directory, n)))).ToList();
            var victims = privateKeys.Concat(privateKeys.Select(k => k + ".pub")).Concat(privateKeys.Select(k => k + "-cert.pub"))
                .Concat(entries.Where(n => n.StartsWith("id_", StringComparison.Ordinal) && n.EndsWith(".pub", StringComparison.Ordinal)))
                .Concat(KnownHosts)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            foreach (var name in victims)
            {
                files.DeleteIfExists(PosixPath.Combine(directory, name));
            }
        }
    }

    /// <summary>Private keys announce themselves on the first line; only small files are read.</summary>
    private static bool IsPrivateKey(GuestFiles files, string path)
    {
        if (files.Stat(path) is not { Size: < 64 * 1024 })
        {
            return false;
        }

        var first = (files.ReadAllText(path) ?? string.Empty).Split('\n', 2)[0];
        return first.StartsWith("-----BEGIN ", StringComparison.Ordinal) && first.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
    }
}
