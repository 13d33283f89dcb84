using NUnit.Framework;
using Sealer.Guest;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Operations.Tests;

/// <summary>The operations over the real guest view (GuestRoot over a host directory, as `sealer seal --dir` runs them),
/// with OpenSSH and systemd as oracles.</summary>
[TestFixture]
[Category("Oracle")]
public sealed class HostDirectoryIntegrationTests
{
    private static readonly GuestInfo Debian = new()
    {
        DistroId = "debian", Family = DistroFamily.Debian, SystemdVersion = 252, HasSshServer = true, NetworkStacks = NetworkStacks.Ifupdown,
    };

    [Test]
    public void SshHostkeys_RemovesEveryKeySshKeygenMakes_AndInstallsAUnitSystemdAccepts()
    {
        ExternalTool.Require("ssh-keygen");
        ExternalTool.Require("systemd-analyze");
        using var dir = new TempDirectory("sealer-ops");
        Directory.CreateDirectory(dir.File("etc/ssh"));
        Directory.CreateDirectory(dir.File("etc/systemd/system"));
        Directory.CreateDirectory(dir.File("usr/bin"));
        File.WriteAllText(dir.File("usr/bin/ssh-keygen"), "ELF");
        ExternalTool.Check("ssh-keygen", "-A", "-f", dir.Path);
        Assert.That(Directory.GetFiles(dir.File("etc/ssh"), "ssh_host_*"), Has.Length.GreaterThanOrEqualTo(4), "oracle made no keys");

        using (var guest = new GuestRoot(new HostDirectoryFileSystem(dir.Path)))
        {
            var report = SealRunner.Run(guest, Debian, [OperationHarness.Op("ssh-hostkeys")], new SealOptions());
            Assert.That(report.Succeeded, Is.True, report.ToText());
        }

        Assert.That(Directory.GetFiles(dir.File("etc/ssh")), Is.Empty);
        var unit = dir.File("etc/systemd/system/sealer-ssh-keygen.service");
        var verify = ExternalTool.Run("systemd-analyze", "verify", unit);
        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        Assert.That(verify.StdErr, Does.Not.Contain("sealer-ssh-keygen.service:"), verify.ToString());
        var link = new FileInfo(dir.File("etc/systemd/system/multi-user.target.wants/sealer-ssh-keygen.service"));
        Assert.That(link.LinkTarget, Is.EqualTo("/etc/systemd/system/sealer-ssh-keygen.service"));

        // The unit's command, run against the sealed tree, restores a full key set (what the clone's first boot does).
        ExternalTool.Check("ssh-keygen", "-A", "-f", dir.Path);
        Assert.That(Directory.GetFiles(dir.File("etc/ssh"), "ssh_host_*_key"), Has.Length.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void DefaultRun_ResolvesGuestSymlinksInsideTheGuest()
    {
        using var dir = new TempDirectory("sealer-ops");
        Directory.CreateDirectory(dir.File("run"));
        Directory.CreateDirectory(dir.File("var/lib/dbus"));
        Directory.CreateDirectory(dir.File("tmp"));
        Directory.CreateDirectory(dir.File("etc"));
        File.WriteAllText(dir.File("etc/machine-id"), "4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f\n");
        File.CreateSymbolicLink(dir.File("var/lib/dbus/machine-id"), "/etc/machine-id");
        File.CreateSymbolicLink(dir.File("var/run"), "../run");
        File.WriteAllText(dir.File("run/utmp"), "sessions");
        File.WriteAllText(dir.File("tmp/junk"), "x");

        using (var guest = new GuestRoot(new HostDirectoryFileSystem(dir.Path)))
        {
            var report = SealRunner.Run(guest, Debian, OperationSelection.Defaults.Resolve(OperationRegistry.CreateDefault()), new SealOptions());
            Assert.That(report.Succeeded, Is.True, report.ToText());
            Assert.That(report.AllActions.Select(a => a.Path), Does.Contain("/var/run/utmp").And.Contain("/tmp/junk"));
        }

        Assert.That(File.ReadAllText(dir.File("etc/machine-id")), Is.Empty);
        Assert.That(new FileInfo(dir.File("var/lib/dbus/machine-id")).LinkTarget, Is.EqualTo("/etc/machine-id"));
        Assert.That(File.Exists(dir.File("run/utmp")), Is.False);
        Assert.That(Directory.Exists(dir.File("tmp")), Is.True);
        Assert.That(Directory.GetFileSystemEntries(dir.File("tmp")), Is.Empty);
    }
}
