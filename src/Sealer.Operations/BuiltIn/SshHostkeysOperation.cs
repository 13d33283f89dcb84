using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed class SshHostkeysOperation : SealOperationBase
{
    public const string KeyGlob = "/etc/ssh/*_host_*";
    public const string KeygenUnitPath = "/etc/systemd/system/sealer-ssh-keygen.service";

    /// <summary>Units or scripts that already create missing host keys when sshd starts.</summary>
    private static readonly string[] NativeGenerators =
    [
        "sshd-keygen@.service", // Fedora, RHEL 8+
        "sshd-keygen.service", // RHEL 7, older Fedora
        "sshd-gen-keys-start.service", // SUSE
        "sshdgenkeys.service", // Arch
    ];

    private const string KeygenUnit =
        "# Installed by Sealer: the image was sealed without SSH host keys. ssh-keygen -A only creates the key types\n" +
        "# that are missing, so running it at every boot is cheap and also repairs keys deleted later.\n" +
        "[Unit]\nDescription=Generate missing SSH host keys\nBefore=ssh.service sshd.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=/usr/bin/ssh-keygen -A\nRemainAfterExit=yes\n\n" +
        "[Install]\nWantedBy=multi-user.target\n";

    public override string Name => "ssh-hostkeys";

    public override string Heading => "Remove the SSH host keys in the guest";

    public override string Description =>
        $"Removes {KeyGlob} (keys, public keys, certificates) so clones do not share host identities, and makes sure the " +
        $"first boot creates new ones: Fedora/RHEL ({NativeGenerators[0]}), SUSE, Arch and Alpine (its sshd init script) do " +
        "it themselves; elsewhere (Debian, Ubuntu, with or without cloud-init, which ds-identify disables when a clone boots " +
        "outside a cloud) " +
        $"a systemd unit {KeygenUnitPath} running `ssh-keygen -A` before ssh.service/sshd.service is installed and enabled " +
        "(multi-user.target.wants and ssh.service.wants). A guest with neither systemd nor a known generator gets a warning. " +
        "A HostCertificate line in /etc/ssh/sshd_config or sshd_config.d/*.conf naming a removed certificate is kept and " +
        "reported with its line: the clone's new key needs a certificate signed for it.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var removed = files.Glob(KeyGlob).ToHashSet(StringComparer.Ordinal);
        files.DeleteGlob(KeyGlob);
        WarnAboutHostCertificates(context, removed);
        if (!context.Guest.HasSshServer || NativeGenerators.Any(u => SystemdUnits.Exists(files, u)) || AlpineInitGenerates(files))
        {
            return;
        }

        // cloud-init is not trusted to do it: with no datasource (a clone booted outside a cloud) ds-identify disables
        // it and nothing would make keys. The unit only fills in missing keys, so it is harmless where cloud-init runs.
        if (context.Guest.SystemdVersion is null)
        {
            context.Warn("no systemd and no known host-key generator: run `ssh-keygen -A` in each clone before starting sshd");
            return;
        }

        if (!files.Exists("/usr/bin/ssh-keygen"))
        {
            context.Warn("/usr/bin/ssh-keygen not found; the installed sealer-ssh-keygen.service will fail until it exists");
        }

        if (!files.EnsureDirectory(SystemdUnits.AdminDirectory, FileModes.Directory755)
            || !files.WriteText(KeygenUnitPath, KeygenUnit, FileModes.Regular644))
        {
            context.Warn($"cannot install {KeygenUnitPath}: run `ssh-keygen -A` in each clone before starting sshd");
            return;
        }

        SystemdUnits.EnableFor(files, KeygenUnitPath, "multi-user.target");
        var sshUnit = SystemdUnits.Exists(files, "ssh.service") ? "ssh.service" : "sshd.service";
        SystemdUnits.EnableFor(files, KeygenUnitPath, sshUnit);
    }

    /// <summary>A HostCertificate line naming a removed certificate (or the certificate of a removed key): sshd logs an
    /// error and serves the new key uncertified until the clone's key is signed.</summary>
    private static void WarnAboutHostCertificates(SealContext context, HashSet<string> removed)
    {
        if (removed.Count == 0)
        {
            return;
        }

        foreach (var config in context.Files.Glob("/etc/ssh/sshd_config.d/*.conf").Prepend("/etc/ssh/sshd_config"))
        {
            var lines = GuestFiles.SplitLines(context.Files.ReadAllText(config) ?? string.Empty);
            for (var i = 0; i < lines.Count; i++)
            {
                var words = lines[i].Split((char[])[' ', '\t', '='], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 2 && words[0].Equals("HostCertificate", StringComparison.OrdinalIgnoreCase) &&
                    (removed.Contains(words[1]) || removed.Contains(words[1].Replace("-cert.pub", string.Empty, StringComparison.Ordinal))))
                {
                    context.Warn($"{config} line {i + 1}: HostCertificate {words[1]} certified a host key this seal removed; " +
                        "kept, but sshd serves the clone's new key without a certificate until one is signed for it and installed there");
                }
            }
        }
    }

    private static bool AlpineInitGenerates(GuestFiles files) =>
        files.ReadAllText("/etc/init.d/sshd")?.Contains("ssh-keygen", StringComparison.Ordinal) == true;
}
