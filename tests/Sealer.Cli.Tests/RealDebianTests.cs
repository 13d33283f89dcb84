using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Seals a real Debian 12 system built with debootstrap (systemd, dbus, openssh-server, cloud-init, netplan, ifupdown).
/// CI builds the tree (build/debian-tree.sh) and passes it in SEALER_DEBIAN12_TREE; elsewhere the test is skipped.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RealDebianTests
{
    [Test]
    public void SealsDebootstrappedDebian12_AndTheResultIsCleanAndBootReady()
    {
        var tree = Environment.GetEnvironmentVariable("SEALER_DEBIAN12_TREE");
        Assume.That(tree is not null && Directory.Exists(tree), "SEALER_DEBIAN12_TREE is not set (CI builds it with build/debian-tree.sh)");
        ExternalTool.Require("qemu-img");
        ExternalTool.Require("e2fsck");
        using var temp = new TempDirectory("sealer-debian");
        var qcow2 = DiskBuilder.ToQcow2(DiskBuilder.GptWithOneExt4(temp, tree!, 1024, "debian12"));
        var before = DiskOracle.Sha256(qcow2);

        var inspect = SealerProcess.RunOk("inspect", "-a", qcow2);
        Assert.That(inspect.StdOut, Does.Contain("Debian GNU/Linux 12"));
        Assert.That(inspect.StdOut, Does.Contain("SHA256:"), "host key fingerprints are listed");
        Assert.That(SealerProcess.Run("check", "-a", qcow2).ExitCode, Is.EqualTo(1), "an unsealed image fails the gate");

        var sealedImage = temp.File("sealed.qcow2");
        var seal = SealerProcess.RunOk("seal", "-a", qcow2, "--output", sealedImage);
        Assert.That(DiskOracle.Sha256(qcow2), Is.EqualTo(before), "the input is untouched");
        DiskOracle.QemuImgCheck(sealedImage);
        Assert.That(SealerProcess.Run("check", "-a", sealedImage).ExitCode, Is.Zero, "the sealed image passes the gate");

        var fs = DiskOracle.ExtractFileSystems(DiskOracle.ToRaw(sealedImage, temp), temp).Single();
        DiskOracle.E2fsckClean(fs);
        Assert.That(DiskOracle.Cat(fs, "/etc/machine-id"), Is.Empty, "machine-id is left empty");
        Assert.That(DiskOracle.Exists(fs, "/etc/ssh/ssh_host_ed25519_key"), Is.False);
        Assert.That(DiskOracle.Exists(fs, "/var/lib/dhcp/dhclient.eth0.leases"), Is.False);
        Assert.That(DiskOracle.Exists(fs, "/root/.bash_history"), Is.False);
        Assert.That(DiskOracle.Cat(fs, "/etc/hostname").Trim(), Is.EqualTo("localhost"));
        Assert.That(seal.StdOut, Does.Contain("ssh-hostkeys"));
    }
}
