using NUnit.Framework;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class CloudInitAndHostnameTests
{
    [Test]
    public void CloudInit_CleansStateLogsAndGeneratedNetwork_KeepsSeed()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        var context = Run("cloud-init", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[]
        {
            "deleted-tree /var/lib/cloud/data",
            "deleted /var/lib/cloud/instance",
            "deleted-tree /var/lib/cloud/instances",
            "deleted /var/log/cloud-init.log",
            "deleted /var/log/cloud-init.log.1",
            "deleted /var/log/cloud-init-output.log",
            "deleted /etc/netplan/50-cloud-init.yaml",
        }));
        Assert.That(fs.Text("/var/lib/cloud/seed/nocloud/meta-data"), Is.EqualTo("instance-id: iid-template\n"));
        Assert.That(fs.Exists("/etc/netplan/60-static.yaml"), Is.True);
    }

    [Test]
    public void CloudInit_RemovesSeedWhenAsked()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        Run("cloud-init", fs, guest, new SealOptions { KeepCloudInitSeed = false });
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/var/lib/cloud/", StringComparison.Ordinal)), Is.Empty);
        Assert.That(fs.Exists("/var/lib/cloud"), Is.True);
    }

    [Test]
    public void CloudInit_KeepsNetworkConfigWhenCloudInitNetworkingIsDisabled()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        fs.AddFile("/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg", "network:\n  config: disabled\n");
        var context = Run("cloud-init", fs, guest);
        Assert.That(fs.Exists("/etc/netplan/50-cloud-init.yaml"), Is.True);
        Assert.That(context.Warnings.Single(), Does.Contain("/etc/netplan/50-cloud-init.yaml"));
    }

    [Test]
    public void CloudInit_KeepsNetworkConfigWhenCloudInitIsNotInstalled()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        var context = Run("cloud-init", fs, guest with { HasCloudInit = false });
        Assert.That(fs.Text("/etc/netplan/50-cloud-init.yaml"), Is.EqualTo(GuestTrees.UbuntuNetplan));
        Assert.That(context.Warnings.Single(), Does.Contain("not installed"));
        Assert.That(fs.Exists("/var/lib/cloud/instances"), Is.False);
    }

    [Test]
    public void CloudInit_RemovesOnlyIfcfgFilesCloudInitCreated()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        fs.AddFile("/etc/sysconfig/network-scripts/ifcfg-eth1", "# Created by cloud-init automatically, do not edit.\n#\nBOOTPROTO=dhcp\n");
        fs.AddFile("/etc/NetworkManager/system-connections/cloud-init-eth1.nmconnection", "[connection]\n");
        var context = Run("cloud-init", fs, guest with { HasCloudInit = true });
        Assert.That(Summary(context), Is.EqualTo(new[]
        {
            "deleted /etc/NetworkManager/system-connections/cloud-init-eth1.nmconnection",
            "deleted /etc/sysconfig/network-scripts/ifcfg-eth1",
        }));
        Assert.That(fs.Exists("/etc/sysconfig/network-scripts/ifcfg-eth0"), Is.True);
    }

    [Test]
    public void Hostname_DefaultsToLocalhost_AndDrops127011()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("hostname", fs, guest);
        Assert.That(fs.Text("/etc/hostname"), Is.EqualTo("localhost\n"));
        Assert.That(fs.Text("/etc/hosts"), Is.EqualTo("127.0.0.1\tlocalhost\n\n# IPv6\n::1 localhost ip6-localhost\n"));
        Assert.That(Summary(context), Is.EqualTo(new[] { "rewritten /etc/hostname", "rewritten /etc/hosts" }));
    }

    [Test]
    public void Hostname_GivenName_Rewrites127011WithFqdnAndShortName()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Run("hostname", fs, guest, new SealOptions { Hostname = "web1.example.net" });
        Assert.That(fs.Text("/etc/hostname"), Is.EqualTo("web1.example.net\n"));
        Assert.That(fs.Text("/etc/hosts"), Does.Contain("127.0.1.1\tweb1.example.net web1\n").And.Not.Contain("deb12"));
    }

    [Test]
    public void Hostname_RemovesOldNameFromRedHatLoopbackLine()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        fs.AddFile("/etc/sysconfig/network", "NETWORKING=yes\nHOSTNAME=rhel9.example.com\n");
        fs.AddFile("/etc/machine-info", "PRETTY_HOSTNAME=Template\nDEPLOYMENT=lab\n");
        Run("hostname", fs, guest, new SealOptions { Hostname = "clone" });
        Assert.That(fs.Text("/etc/hosts"), Is.EqualTo("127.0.0.1\tlocalhost localhost.localdomain\n::1         localhost6\n"));
        Assert.That(fs.Text("/etc/sysconfig/network"), Is.EqualTo("NETWORKING=yes\nHOSTNAME=clone\n"));
        Assert.That(fs.Text("/etc/machine-info"), Is.EqualTo("DEPLOYMENT=lab\n"));
    }

    [Test]
    public void Hostname_WritesSuseEtcHOSTNAME()
    {
        var (fs, guest) = GuestTrees.OpenSuse();
        Run("hostname", fs, guest);
        Assert.That(fs.Text("/etc/HOSTNAME"), Is.EqualTo("localhost\n"));
        Assert.That(fs.Text("/etc/hostname"), Is.EqualTo("localhost\n"));
    }

    [TestCase("bad name")]
    [TestCase("-lead")]
    [TestCase("a..b")]
    public void Hostname_RejectsInvalidNames(string name)
    {
        var (fs, guest) = GuestTrees.Debian12();
        var e = Assert.Throws<SealOptionException>(() => Run("hostname", fs, guest, new SealOptions { Hostname = name }));
        Assert.That(e!.Message, Does.Contain("--hostname"));
        Assert.That(fs.Mutations, Is.Empty);
    }
}
