using NUnit.Framework;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class CleanupOperationTests
{
    [Test]
    public void Logfiles_Debian_RemovesLogsJournalAndLoginRecords()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("logfiles", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[]
        {
            "deleted /var/log/dpkg.log",
            "deleted /var/log/btmp",
            "deleted /var/log/lastlog",
            "deleted /var/log/wtmp",
            "deleted /var/log/syslog",
            "deleted /var/log/syslog.1",
            "deleted /var/log/installer/syslog",
            "deleted-tree /var/log/journal/4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f",
            "deleted /var/log/apt/history.log",
        }));
        Assert.That(fs.Exists("/var/log/journal"), Is.True);
        Assert.That(fs.Exists("/var/log/account/pacct"), Is.True, "process accounting is pacct-log's job");
    }

    [Test]
    public void Logfiles_Rhel_RemovesAnacondaKickstartAndAudit()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        Run("logfiles", fs, guest);
        Assert.That(fs.Exists("/root/anaconda-ks.cfg"), Is.False);
        Assert.That(fs.Exists("/var/log/audit/audit.log"), Is.False);
        Assert.That(fs.Exists("/var/log/messages") || fs.Exists("/var/log/secure") || fs.Exists("/var/log/dnf.log"), Is.False);
    }

    [Test]
    public void Histories_RemoveOnlyHistoryFiles()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("bash-history", fs, guest)), Is.EqualTo(new[] { "deleted /root/.bash_history", "deleted /home/alice/.bash_history" }));
        Assert.That(Summary(Run("zsh-history", fs, guest)), Is.EqualTo(new[] { "deleted /home/alice/.zsh_history" }));
        Assert.That(Summary(Run("app-history", fs, guest)), Is.EqualTo(new[] { "deleted /home/alice/.python_history" }));
        Assert.That(fs.Text("/home/alice/notes.txt"), Is.EqualTo("keep me\n"));
        Assert.That(fs.Exists("/home/alice/.ssh/authorized_keys"), Is.True);
        var (alpine, alpineGuest) = GuestTrees.Alpine();
        Assert.That(Summary(Run("app-history", alpine, alpineGuest)), Is.EqualTo(new[] { "deleted /root/.ash_history" }));
    }

    [Test]
    public void TmpFiles_EmptiesTmpAndVarTmp_IncludingDotfiles_KeepsTheDirectories()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("tmp-files", fs, guest)), Is.EqualTo(new[]
        {
            "deleted-tree /tmp/.X11-unix", "deleted /tmp/.hidden", "deleted /tmp/build.sh", "deleted-tree /var/tmp/systemd-private-abc",
        }));
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/tmp", StringComparison.Ordinal) || p.StartsWith("/var/tmp", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "/tmp", "/var/tmp" }));
    }

    [Test]
    public void RandomSeed_RemovesSeedsAndCredentialSecret_AndNeverWritesOne()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("random-seed", fs, guest)), Is.EqualTo(new[]
        {
            "deleted /var/lib/systemd/random-seed", "deleted /var/lib/systemd/credential.secret",
        }));
        var (suse, suseGuest) = GuestTrees.OpenSuse();
        Assert.That(Summary(Run("random-seed", suse, suseGuest)), Does.Contain("deleted /var/lib/misc/random-seed"));
        var (alpine, alpineGuest) = GuestTrees.Alpine();
        Assert.That(Summary(Run("random-seed", alpine, alpineGuest)), Is.EqualTo(new[] { "deleted /etc/random-seed" }));
        Assert.That(fs.Mutations, Is.All.StartWith("delete "));
    }

    [TestCase("debian", "/var/cache/apt/archives/vim_9.0_amd64.deb")]
    [TestCase("rhel", "/var/cache/dnf/baseos-1234/repodata/primary.xml.gz")]
    [TestCase("suse", "/var/cache/zypp/packages/repo-oss/x86_64/vim.rpm")]
    [TestCase("arch", "/var/cache/pacman/pkg/vim-9.1-1-x86_64.pkg.tar.zst")]
    [TestCase("alpine", "/var/cache/apk/APKINDEX.abc.tar.gz")]
    public void PackageManagerCache_RemovesCachedFilesKeepingDirectories(string distro, string cached)
    {
        var (fs, guest) = distro switch
        {
            "debian" => GuestTrees.Debian12(),
            "rhel" => GuestTrees.Rhel9(),
            "suse" => GuestTrees.OpenSuse(),
            "arch" => GuestTrees.Arch(),
            _ => GuestTrees.Alpine(),
        };
        var directoryBefore = fs.AllPaths().Where(p => fs.TryStat(p)!.Value.Kind == Core.FileSystems.FileKind.Directory).ToList();
        var context = Run("package-manager-cache", fs, guest);
        Assert.That(Summary(context), Does.Contain("deleted " + cached));
        Assert.That(Summary(context), Is.All.StartWith("deleted /var/cache/"));
        Assert.That(fs.AllPaths().Where(p => fs.TryStat(p)!.Value.Kind == Core.FileSystems.FileKind.Directory), Is.EqualTo(directoryBefore));
    }

    [Test]
    public void PackageManagerCache_Debian_KeepsAptsOwnCaches()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("package-manager-cache", fs, guest)), Is.EqualTo(new[]
        {
            "deleted /var/cache/apt/archives/lock", "deleted /var/cache/apt/archives/vim_9.0_amd64.deb",
        }));
        Assert.That(fs.Exists("/var/cache/apt/pkgcache.bin"), Is.True);
    }

    [Test]
    public void CronSpool_RemovesJobs_ResetsAtSequence()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("cron-spool", fs, guest)), Is.EqualTo(new[]
        {
            "deleted /var/spool/cron/atjobs/a0001", "deleted /var/spool/cron/crontabs/alice", "rewritten /var/spool/cron/atjobs/.SEQ",
        }));
        Assert.That(fs.Text("/var/spool/cron/atjobs/.SEQ"), Is.EqualTo("00000\n"));
        Assert.That(fs.Exists("/var/spool/cron/crontabs"), Is.True);
    }

    [Test]
    public void PacctLog_RemovesRotatedLogsAndTruncatesPacct_KeepingItsMode()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("pacct-log", fs, guest)), Is.EqualTo(new[]
        {
            "deleted /var/log/account/pacct.0", "truncated /var/log/account/pacct",
        }));
        Assert.That(fs.Text("/var/log/account/pacct"), Is.Empty);
        Assert.That(fs.TryStat("/var/log/account/pacct")!.Value.Mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
    }

    [Test]
    public void PacctLog_OnASealedGuest_ChangesNothing()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Run("pacct-log", fs, guest);
        fs.Mutations.Clear();
        Assert.That(Summary(Run("pacct-log", fs, guest)), Is.Empty);
        Assert.That(fs.Mutations, Is.Empty, "an empty pacct must not be deleted and created again");
    }

    [Test]
    public void PacctLog_OnlyRotatedLogs_LeaveAnEmptyPacctWithTheirMode()
    {
        var fs = new Fakes.InMemoryFileSystem().AddFile("/var/account/pacct.1", "old", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(Summary(Run("pacct-log", fs, GuestTrees.Rhel9().Guest)), Is.EqualTo(new[] { "deleted /var/account/pacct.1", "created /var/account/pacct" }));
        Assert.That(fs.TryStat("/var/account/pacct")!.Value.Mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void BackupFiles_RemovesBakAndTildeFilesUnderTheSystemTrees()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.AddFile("/home/alice/report.bak", "user data");
        Assert.That(Summary(Run("backup-files", fs, guest)), Is.EqualTo(new[] { "deleted /etc/default/grub~", "deleted /etc/fstab.bak" }));
        Assert.That(fs.Exists("/home/alice/report.bak"), Is.True);
    }

    [Test]
    public void IscsiInitiatorName_DebianGetsThePlaceholder_RhelLosesTheFile()
    {
        var (debian, debianGuest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("iscsi-initiator-name", debian, debianGuest)), Is.EqualTo(new[] { "rewritten /etc/iscsi/initiatorname.iscsi" }));
        Assert.That(debian.Text("/etc/iscsi/initiatorname.iscsi"), Does.EndWith("GenerateName=yes\n").And.Not.Contain("InitiatorName=iqn"));
        Assert.That(Summary(Run("iscsi-initiator-name", debian, debianGuest)), Is.Empty);
        var (rhel, rhelGuest) = GuestTrees.Rhel9();
        var context = Run("iscsi-initiator-name", rhel, rhelGuest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "deleted /etc/iscsi/initiatorname.iscsi" }));
        Assert.That(context.Warnings, Is.Empty);
    }

    [Test]
    public void RedHatIdentityFiles_AreRemoved()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        Assert.That(Summary(Run("rpm-db", fs, guest)), Is.EqualTo(new[] { "deleted /var/lib/rpm/__db.001" }));
        Assert.That(Summary(Run("yum-uuid", fs, guest)), Is.EqualTo(new[] { "deleted /var/lib/yum/uuid" }));
        Assert.That(Summary(Run("rh-subscription-manager", fs, guest)), Is.EqualTo(new[] { "deleted /etc/pki/consumer/cert.pem", "deleted /etc/pki/entitlement/1.pem" }));
        Assert.That(Summary(Run("lvm-system-devices", fs, guest)), Is.EqualTo(new[] { "deleted /etc/lvm/devices/system.devices" }));
        Assert.That(fs.Exists("/var/lib/rpm/rpmdb.sqlite"), Is.True);
    }

    [Test]
    public void SmallOperations_RemoveTheirFiles()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.AddFile("/run/utmp", "u").AddFile("/etc/blkid.tab", "b").AddSymlink("/etc/blkid.tab.old", "/etc/blkid.tab");
        Assert.That(Summary(Run("utmp", fs, guest)), Is.EqualTo(new[] { "deleted /var/run/utmp" }));
        Assert.That(Summary(Run("blkid-tab", fs, guest)), Is.EqualTo(new[] { "deleted /etc/blkid.tab" }));
        Assert.That(Summary(Run("passwd-backups", fs, guest)), Is.EqualTo(new[] { "deleted /etc/shadow-" }));
        Assert.That(Summary(Run("kerberos-hostkeytab", fs, guest)), Is.EqualTo(new[] { "deleted /etc/krb5.keytab" }));
        Assert.That(Summary(Run("ssh-userdir", fs, guest)), Is.EqualTo(new[] { "deleted-tree /home/alice/.ssh" }));
        Assert.That(Summary(Run("flag-reconfiguration", fs, guest)), Is.EqualTo(new[] { "created /.unconfigured" }));
        Assert.That(fs.Exists("/etc/blkid.tab.old"), Is.True);
    }

    [Test]
    public void IpaClient_WarnsThatTheCaStoreMustBeRebuilt()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        fs.AddFile("/etc/ipa/default.conf", "[global]\n").AddFile("/etc/pki/ca-trust/source/anchors/ipa-ca.crt", "cert");
        var context = Run("ipa-client", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "deleted /etc/ipa/default.conf", "deleted /etc/pki/ca-trust/source/anchors/ipa-ca.crt" }));
        Assert.That(context.Warnings.Single(), Does.Contain("update-ca-trust"));
    }

    [Test]
    public void DeviceOperations_AreNeverApplicable()
    {
        Assert.That(Op("fs-uuids").AppliesTo(GuestTrees.Debian12().Guest), Is.False);
        Assert.That(Op("lvm-uuids").AppliesTo(GuestTrees.Rhel9().Guest), Is.False);
    }

    [Test]
    public void CaCertificates_KeepsTheBundles()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        fs.AddFile("/etc/pki/tls/certs/ca-bundle.crt", "bundle").AddFile("/etc/pki/tls/certs/host.crt", "host")
            .AddFile("/etc/pki/tls/private/host.key", "key");
        Assert.That(Summary(Run("ca-certificates", fs, guest)), Is.EqualTo(new[] { "deleted /etc/pki/tls/private/host.key", "deleted /etc/pki/tls/certs/host.crt" }));
        Assert.That(fs.Exists("/etc/pki/tls/certs/ca-bundle.crt"), Is.True);
    }

    [Test]
    public void KerberosData_KeepsKdcConfiguration()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        fs.AddFile("/var/kerberos/krb5kdc/principal", "db").AddFile("/var/kerberos/krb5kdc/kdc.conf", "conf").AddFile("/var/kerberos/krb5kdc/kadm5.acl", "acl");
        Assert.That(Summary(Run("kerberos-data", fs, guest)), Is.EqualTo(new[] { "deleted /var/kerberos/krb5kdc/principal" }));
    }
}
