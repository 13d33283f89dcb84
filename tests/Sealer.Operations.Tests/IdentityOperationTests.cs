using NUnit.Framework;
using Sealer.Guest;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.Operations.Tests.Fakes;
using Sealer.TestSupport;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

/// <summary>The per-machine items issue 9 found left, one behaviour per test (in memory), and the boot-time units
/// checked by systemd-analyze.</summary>
[TestFixture]
public sealed class IdentityOperationTests
{
    private static readonly GuestInfo Debian = new()
    {
        DistroId = "debian", Family = DistroFamily.Debian, SystemdVersion = 252, HasSshServer = true, Hostname = "tmpl",
    };

    [Test]
    public void Hostname_DropsTheTemplatesOwnAddressLine_AndItsNamesElsewhere_KeepsOtherHosts()
    {
        var fs = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n")
            .AddFile("/etc/hosts", "127.0.0.1 localhost\n192.168.1.5 tmpl.example.net tmpl\n10.0.0.9 tmpl-db gitlab\n10.0.0.5 gitlab.example.net gitlab\n");
        Run("hostname", fs, Debian);
        Assert.That(fs.Text("/etc/hosts"), Is.EqualTo("127.0.0.1 localhost\n10.0.0.9 tmpl-db gitlab\n10.0.0.5 gitlab.example.net gitlab\n"));
    }

    [Test]
    public void Hostname_RemovesATemplateMailname_InstallsItsGenerator_KeepsAMailDomain()
    {
        var fs = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n").AddFile("/etc/mailname", "tmpl.example.net\n");
        var context = Run("hostname", fs, Debian);
        Assert.That(fs.Exists("/etc/mailname"), Is.False);
        Assert.That(Summary(context), Does.Contain("created /etc/systemd/system/sealer-mailname.service")
            .And.Contain("symlink-created /etc/systemd/system/multi-user.target.wants/sealer-mailname.service"));

        var domain = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n").AddFile("/etc/mailname", "example.net\n");
        Run("hostname", domain, Debian);
        Assert.That(domain.Text("/etc/mailname"), Is.EqualTo("example.net\n"));

        var named = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n").AddFile("/etc/mailname", "tmpl.example.net\n");
        Run("hostname", named, Debian, new SealOptions { Hostname = "clone7.example.net" });
        Assert.That(named.Text("/etc/mailname"), Is.EqualTo("clone7.example.net\n"));
        Assert.That(named.Exists("/etc/systemd/system/sealer-mailname.service"), Is.False);
    }

    [Test]
    public void Hostname_DropsPostfixAndSambaNamesOnlyWhenTheyAreTheTemplates()
    {
        var fs = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n")
            .AddFile("/etc/postfix/main.cf", "myhostname = tmpl.example.net\nrelayhost = smtp\n")
            .AddFile("/etc/samba/smb.conf", "[global]\n   NetBIOS Name = TMPL\n   workgroup = X\n")
            .AddFile("/etc/sysconfig/postfix", "POSTFIX_MYHOSTNAME=\"tmpl.example.net\"\n");
        Run("hostname", fs, Debian);
        Assert.That(fs.Text("/etc/postfix/main.cf"), Is.EqualTo("relayhost = smtp\n"));
        Assert.That(fs.Text("/etc/samba/smb.conf"), Is.EqualTo("[global]\n   workgroup = X\n"));
        Assert.That(fs.Text("/etc/sysconfig/postfix"), Is.EqualTo("POSTFIX_MYHOSTNAME=\"\"\n"));

        var relay = new InMemoryFileSystem().AddFile("/etc/hostname", "tmpl\n").AddFile("/etc/postfix/main.cf", "myhostname = mail.example.net\n");
        Assert.That(Summary(Run("hostname", relay, Debian)), Does.Not.Contain("rewritten /etc/postfix/main.cf"));
    }

    [Test]
    public void NetHostnameAndNetHwaddr_DropIfupdownsHostnameAndSetMac_KeepTheStanza()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\n    hostname tmpl\n    hwaddress ether 52:54:00:12:34:56\n")
            .AddFile("/etc/network/interfaces.d/vlan", "iface eth1 inet static\n\thwaddress 52:54:00:12:34:57\n\taddress 10.0.0.2/24\n");
        Run("net-hostname", fs, Debian);
        Run("net-hwaddr", fs, Debian);
        Assert.That(fs.Text("/etc/network/interfaces"), Is.EqualTo("auto eth0\niface eth0 inet dhcp\n"));
        Assert.That(fs.Text("/etc/network/interfaces.d/vlan"), Is.EqualTo("iface eth1 inet static\n\taddress 10.0.0.2/24\n"));
    }

    [Test]
    public void NetHwaddr_DropsSetMacsEverywhere_KeepsAndReportsNetworkdMatches()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/sysconfig/network/ifcfg-eth0", "BOOTPROTO='dhcp'\nLLADDR='52:54:00:12:34:56'\n")
            .AddFile("/etc/sysconfig/network-scripts/ifcfg-eth1", "DEVICE=eth1\nMACADDR=52:54:00:12:34:57\n")
            .AddFile("/etc/systemd/network/10-lan.link", "[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\nMACAddress=52:54:00:aa:bb:cc\n")
            .AddFile("/etc/systemd/network/br0.netdev", "[NetDev]\nName=br0\nKind=bridge\nMACAddress=02:00:00:00:00:01\n")
            .AddFile("/etc/NetworkManager/system-connections/w.nmconnection", "[ethernet]\ncloned-mac-address=52:54:00:ab:cd:ef\n")
            .AddFile("/etc/NetworkManager/system-connections/s.nmconnection", "[ethernet]\ncloned-mac-address=stable\n");
        var context = Run("net-hwaddr", fs, Debian);
        Assert.That(fs.Text("/etc/sysconfig/network/ifcfg-eth0"), Is.EqualTo("BOOTPROTO='dhcp'\n"));
        Assert.That(fs.Text("/etc/sysconfig/network-scripts/ifcfg-eth1"), Is.EqualTo("DEVICE=eth1\n"));
        Assert.That(fs.Text("/etc/systemd/network/10-lan.link"), Is.EqualTo("[Match]\nMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\n"));
        Assert.That(fs.Text("/etc/systemd/network/br0.netdev"), Is.EqualTo("[NetDev]\nName=br0\nKind=bridge\n"));
        Assert.That(fs.Text("/etc/NetworkManager/system-connections/w.nmconnection"), Is.EqualTo("[ethernet]\n"));
        Assert.That(fs.Text("/etc/NetworkManager/system-connections/s.nmconnection"), Is.EqualTo("[ethernet]\ncloned-mac-address=stable\n"));
        Assert.That(context.Warnings.Single(), Does.StartWith("/etc/systemd/network/10-lan.link line 2: [Match] MACAddress= "));
    }

    [Test]
    public void SshHostkeys_WarnsAboutAHostCertificateItRemoved_WithFileAndLine()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/ssh/ssh_host_ed25519_key", "k").AddFile("/etc/ssh/ssh_host_ed25519_key-cert.pub", "c")
            .AddFile("/etc/ssh/sshd_config", "Port 22\nHostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub\nHostCertificate /etc/ssh/ca/other-cert.pub\n")
            .AddFile("/usr/lib/systemd/system/sshd-keygen@.service", "[Service]\n");
        var context = Run("ssh-hostkeys", fs, Debian);
        Assert.That(context.Warnings.Single(), Does.StartWith("/etc/ssh/sshd_config line 2: HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub"));
        Assert.That(fs.Text("/etc/ssh/sshd_config"), Does.Contain("HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub"), "the line is kept");
    }

    [Test]
    public void SambaDbLog_EmptiesPrivate_KeepsTheDirectoryAndItsMode()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/var/lib/samba/private/secrets.tdb", "s").AddFile("/var/lib/samba/registry.tdb", "r").AddFile("/var/log/samba/log.smbd", "l");
        fs.SetMode("/var/lib/samba/private", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Run("samba-db-log", fs, Debian);
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/var/lib/samba", StringComparison.Ordinal) || p.StartsWith("/var/log/samba", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "/var/lib/samba", "/var/lib/samba/private", "/var/log/samba" }));
        Assert.That(fs.TryStat("/var/lib/samba/private")!.Value.Mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void SshUserKeys_RemovesKeyPairsAndKnownHosts_KeepsAuthorizedKeysAndConfig()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/home/a/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n").AddFile("/home/a/.ssh/id_ed25519.pub", "ssh-ed25519 A")
            .AddFile("/home/a/.ssh/deploy", "-----BEGIN RSA PRIVATE KEY-----\nx\n").AddFile("/home/a/.ssh/deploy.pub", "ssh-rsa A")
            .AddFile("/home/a/.ssh/known_hosts", "h").AddFile("/home/a/.ssh/authorized_keys", "ssh-ed25519 B").AddFile("/home/a/.ssh/config", "Host x\n")
            .AddFile("/root/.ssh/known_hosts.old", "h");
        Run("ssh-user-keys", fs, Debian);
        Assert.That(fs.AllPaths().Where(p => p.Contains("/.ssh/", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "/home/a/.ssh/authorized_keys", "/home/a/.ssh/config" }));
    }

    [Test]
    public void SuseRegistration_RemovesSccServicesAndTheirCredentials_KeepsTheOperatorsRepo()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/var/lib/zypp/AnonymousUniqueId", "id").AddFile("/etc/zypp/credentials.d/SCCcredentials", "u")
            .AddFile("/etc/zypp/credentials.d/SLES15", "u").AddFile("/etc/zypp/credentials.d/company", "u")
            .AddFile("/etc/zypp/services.d/SLES15.service", "[SLES15]\nurl = https://scc.suse.com/access/services/1?credentials=SLES15\n")
            .AddFile("/etc/zypp/services.d/mirror.service", "[m]\nurl = https://smt.example.net/repo?credentials=company\n");
        var guest = new GuestInfo { DistroId = "sles", Family = DistroFamily.Suse, SystemdVersion = 254 };
        Run("suse-registration", fs, guest);
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/etc/zypp/", StringComparison.Ordinal) && p.Count(c => c == '/') == 4),
            Is.EqualTo(new[] { "/etc/zypp/credentials.d/company", "/etc/zypp/services.d/mirror.service" }));
        Assert.That(fs.Exists("/var/lib/zypp/AnonymousUniqueId"), Is.False);
    }

    [Test]
    public void PacmanKeyring_IsRemovedAndInitializedAtBoot_OnceOnly()
    {
        var fs = new InMemoryFileSystem().AddFile("/etc/pacman.d/gnupg/private-keys-v1.d/A.key", "k").AddFile("/etc/pacman.d/gnupg/trustdb.gpg", "t");
        var guest = new GuestInfo { DistroId = "arch", Family = DistroFamily.Arch, SystemdVersion = 256 };
        Assert.That(Summary(Run("pacman-keyring", fs, guest)), Is.EqualTo(new[]
        {
            "deleted-tree /etc/pacman.d/gnupg", "directory-created /etc/systemd", "directory-created /etc/systemd/system",
            "created /etc/systemd/system/sealer-pacman-init.service", "directory-created /etc/systemd/system/multi-user.target.wants",
            "symlink-created /etc/systemd/system/multi-user.target.wants/sealer-pacman-init.service",
        }));
        Assert.That(Summary(Run("pacman-keyring", fs, guest)), Is.Empty);
    }

    [Test]
    public void PostfixData_EmptiesQueuesAndCaches_KeepsTheQueueDirectories()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/var/spool/postfix/deferred/A/A1", "m").AddFile("/var/spool/postfix/maildrop/B2", "m")
            .AddFile("/var/spool/postfix/etc/resolv.conf", "chroot copy").AddFile("/var/lib/postfix/smtp_scache.db", "c");
        Run("postfix-data", fs, Debian);
        Assert.That(fs.AllPaths().Where(p => p.Contains("postfix", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "/var/lib/postfix", "/var/spool/postfix", "/var/spool/postfix/deferred", "/var/spool/postfix/deferred/A",
            "/var/spool/postfix/etc", "/var/spool/postfix/etc/resolv.conf", "/var/spool/postfix/maildrop",
        }));
    }

    [Test]
    public void DropbearHostkeys_WarnOnlyWhereNothingMakesNewOnes()
    {
        var bare = new InMemoryFileSystem().AddFile("/etc/dropbear/dropbear_ed25519_host_key", "k");
        var context = Run("dropbear-hostkeys", bare, Debian);
        Assert.That(bare.Exists("/etc/dropbear/dropbear_ed25519_host_key"), Is.False);
        Assert.That(context.Warnings.Single(), Does.Contain("-R"));

        var generating = new InMemoryFileSystem().AddFile("/etc/dropbear/dropbear_ed25519_host_key", "k")
            .AddFile("/etc/default/dropbear", "DROPBEAR_EXTRA_ARGS=\"-R\"\n");
        Assert.That(Run("dropbear-hostkeys", generating, Debian).Warnings, Is.Empty);
    }

    [Test]
    public void LuksVolumeKey_ReportsEachSharedKeyAndKeyFile_NotRandomSwap_ChangesNothing()
    {
        var fs = new InMemoryFileSystem().AddFile("/etc/crypttab", "# <name> <device> <key>\ndata UUID=1 /etc/keys/data.key luks\nswap /dev/sda3 /dev/urandom swap\n");
        var context = Run("luks-volume-key", fs, Debian);
        Assert.That(Summary(context), Is.Empty);
        Assert.That(context.Warnings, Is.EqualTo(new[]
        {
            "/etc/crypttab line 2: data (UUID=1, key file /etc/keys/data.key) kept: every clone shares its volume key",
        }));
    }

    /// <summary>Every unit Sealer installs, as the default seal writes it, passes `systemd-analyze verify` against the
    /// sealed tree (with the host's unit directory for the targets, and the commands the units run).</summary>
    [TestCase("/etc/systemd/system/sealer-mailname.service", "/bin/sh")]
    [TestCase("/etc/systemd/system/sealer-snakeoil.service", "/usr/sbin/make-ssl-cert")]
    [TestCase("/etc/systemd/system/sealer-pacman-init.service", "/usr/bin/pacman-key")]
    [Category("Oracle")]
    public void InstalledUnits_PassSystemdAnalyzeVerify(string unit, string command)
    {
        ExternalTool.Require("systemd-analyze");
        using var dir = new TempDirectory("sealer-units");
        Directory.CreateDirectory(dir.File("usr/lib/systemd"));
        ExternalTool.Check("cp", "-a", "/usr/lib/systemd/system", dir.File("usr/lib/systemd/"));
        Directory.CreateDirectory(Path.GetDirectoryName(dir.File(command[1..]))!);
        File.WriteAllText(dir.File(command[1..]), "#!/bin/sh\n");
        ExternalTool.Check("chmod", "755", dir.File(command[1..]));
        Directory.CreateDirectory(dir.File("etc"));
        File.WriteAllText(dir.File("etc/hostname"), "tmpl\n");
        File.WriteAllText(dir.File("etc/mailname"), "tmpl.example.net\n");
        Directory.CreateDirectory(dir.File("etc/ssl/private"));
        File.WriteAllText(dir.File("etc/ssl/private/ssl-cert-snakeoil.key"), "k");
        Directory.CreateDirectory(dir.File("etc/pacman.d/gnupg"));
        File.WriteAllText(dir.File("etc/pacman.d/gnupg/trustdb.gpg"), "t");
        var family = unit.Contains("pacman", StringComparison.Ordinal) ? DistroFamily.Arch : DistroFamily.Debian;
        using (var guest = new GuestRoot(new HostDirectoryFileSystem(dir.Path)))
        {
            var report = SealRunner.Run(guest, Debian with { Family = family }, OperationSelection.Parse("hostname,self-signed-certs,pacman-keyring").Resolve(OperationRegistry.CreateDefault()), new SealOptions());
            Assert.That(report.Succeeded, Is.True, report.ToText());
        }

        Assert.That(File.Exists(dir.File(unit[1..])), Is.True, "the seal did not install " + unit);
        var verify = ExternalTool.Run("systemd-analyze", "verify", "--root=" + dir.Path, unit);
        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        Assert.That(verify.StdErr, Does.Not.Contain(Path.GetFileName(unit) + ":"), verify.ToString());
        var link = new FileInfo(dir.File("etc/systemd/system/multi-user.target.wants/" + Path.GetFileName(unit)));
        Assert.That(link.LinkTarget, Is.EqualTo(unit));
    }
}
