using NUnit.Framework;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class SshHostkeysOperationTests
{
    private static readonly string[] DeletedKeys =
    [
        "deleted /etc/ssh/ssh_host_ed25519_key",
        "deleted /etc/ssh/ssh_host_ed25519_key-cert.pub",
        "deleted /etc/ssh/ssh_host_ed25519_key.pub",
        "deleted /etc/ssh/ssh_host_rsa_key",
        "deleted /etc/ssh/ssh_host_rsa_key.pub",
    ];

    private const string Unit = "/etc/systemd/system/sealer-ssh-keygen.service";

    [Test]
    public void Debian_RemovesKeys_AndInstallsAndEnablesTheKeygenUnit()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("ssh-hostkeys", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(DeletedKeys.Concat(new[]
        {
            "created " + Unit,
            "symlink-created /etc/systemd/system/multi-user.target.wants/sealer-ssh-keygen.service",
            "directory-created /etc/systemd/system/ssh.service.wants",
            "symlink-created /etc/systemd/system/ssh.service.wants/sealer-ssh-keygen.service",
        })));
        Assert.That(fs.Text(Unit), Does.Contain("ExecStart=/usr/bin/ssh-keygen -A").And.Contain("Before=ssh.service sshd.service")
            .And.Contain("WantedBy=multi-user.target").And.Contain("Type=oneshot"));
        Assert.That(fs.ReadLink("/etc/systemd/system/multi-user.target.wants/sealer-ssh-keygen.service"), Is.EqualTo(Unit));
        Assert.That(fs.Text("/etc/ssh/sshd_config"), Is.EqualTo("PermitRootLogin no\n"));
        Assert.That(context.Warnings, Is.Empty);
    }

    [Test]
    public void Debian_SecondRunChangesNothing()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Run("ssh-hostkeys", fs, guest);
        Assert.That(Summary(Run("ssh-hostkeys", fs, guest)), Is.Empty);
    }

    [TestCase("rhel")]
    [TestCase("suse")]
    [TestCase("arch")]
    [TestCase("alpine")]
    public void DistrosThatRegenerateKeys_GetNoUnit(string distro)
    {
        var (fs, guest) = distro switch
        {
            "rhel" => GuestTrees.Rhel9(),
            "suse" => GuestTrees.OpenSuse(),
            "arch" => GuestTrees.Arch(),
            _ => GuestTrees.Alpine(),
        };
        var context = Run("ssh-hostkeys", fs, guest);
        Assert.That(Summary(context), Is.Not.Empty.And.All.StartWith("deleted /etc/ssh/ssh_host_"));
        Assert.That(fs.Exists(Unit), Is.False);
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/etc/ssh/ssh_host", StringComparison.Ordinal)), Is.Empty);
        Assert.That(context.Warnings, Is.Empty);
    }

    [Test]
    public void Ubuntu_WithCloudInitStateCleared_StillInstallsTheUnit_BecauseCloudInitMayNotRun()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        Run("cloud-init", fs, guest);
        Run("ssh-hostkeys", fs, guest);
        Assert.That(fs.Exists(Unit), Is.True);
    }

    [Test]
    public void Ubuntu_WithCloudInitStateKept_StillInstallsTheUnit()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        Run("ssh-hostkeys", fs, guest);
        Assert.That(fs.Exists(Unit), Is.True);
        Assert.That(fs.Exists("/etc/systemd/system/ssh.service.wants/sealer-ssh-keygen.service"), Is.True);
    }

    [Test]
    public void NonSystemdGuestWithoutGenerator_IsWarned()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("ssh-hostkeys", fs, guest with { SystemdVersion = null });
        Assert.That(fs.Exists(Unit), Is.False);
        Assert.That(context.Warnings.Single(), Does.Contain("ssh-keygen -A"));
    }

    [Test]
    public void GuestWithoutSshServer_OnlyLosesItsKeys()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("ssh-hostkeys", fs, guest with { HasSshServer = false });
        Assert.That(Summary(context), Is.EqualTo(DeletedKeys));
    }
}
