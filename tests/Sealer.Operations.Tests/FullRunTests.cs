using NUnit.Framework;
using Sealer.Guest.Inspection;
using Sealer.Operations.Tests.Fakes;

namespace Sealer.Operations.Tests;

/// <summary>Whole default runs over each guest shape, as the CLI will do them.</summary>
[TestFixture]
public sealed class FullRunTests
{
    private static IEnumerable<TestCaseData> Guests()
    {
        Func<(InMemoryFileSystem, GuestInfo)>[] makers =
            [GuestTrees.Debian12, GuestTrees.Ubuntu2404, GuestTrees.Rhel9, GuestTrees.OpenSuse, GuestTrees.Arch, GuestTrees.Alpine];
        string[] names = ["debian12", "ubuntu2404", "rhel9", "opensuse", "arch", "alpine"];
        return makers.Select((make, i) => new TestCaseData(make).SetArgDisplayNames(names[i]));
    }

    private static SealReport RunDefaults(InMemoryFileSystem fs, GuestInfo guest, SealOptions? options = null) =>
        SealRunner.Run(fs, guest, OperationSelection.Defaults.Resolve(OperationRegistry.CreateDefault()), options ?? new SealOptions(),
            new Random(1), new OperationHarness.FixedTime());

    [TestCaseSource(nameof(Guests))]
    public void DefaultRun_Succeeds_AndLeavesNoIdentityBehind(Func<(InMemoryFileSystem, GuestInfo)> make)
    {
        var (fs, guest) = make();
        var report = RunDefaults(fs, guest);
        Assert.That(report.Succeeded, Is.True, report.ToText());
        var leftovers = fs.AllPaths().Where(p =>
            p.StartsWith("/etc/ssh/ssh_host_", StringComparison.Ordinal) || p.Contains("random-seed", StringComparison.Ordinal) ||
            p.EndsWith("_history", StringComparison.Ordinal) || p.StartsWith("/var/log/journal/", StringComparison.Ordinal) ||
            p.StartsWith("/tmp/", StringComparison.Ordinal) || p.StartsWith("/var/lib/wicked/", StringComparison.Ordinal) ||
            p.StartsWith("/var/lib/dhcp/", StringComparison.Ordinal) || p.Contains("secret", StringComparison.Ordinal));
        Assert.That(leftovers, Is.Empty);
        if (guest.SystemdVersion is not null)
        {
            Assert.That(fs.Text("/etc/machine-id"), Is.Empty);
        }
    }

    [TestCaseSource(nameof(Guests))]
    public void MachineId_IsNotRefilledByAnyLaterOperation(Func<(InMemoryFileSystem, GuestInfo)> make)
    {
        var (fs, guest) = make();
        var report = SealRunner.Run(fs, guest, OperationSelection.Parse("all").Resolve(OperationRegistry.CreateDefault()),
            new SealOptions { Hostname = "clone" }, new Random(1));
        var names = report.Operations.Select(o => o.Name).ToList();
        var later = report.Operations.Skip(names.IndexOf("machine-id") + 1).ToList();
        Assert.That(later.SelectMany(o => o.Actions), Is.Empty, "nothing may run after machine-id and change the guest");
        Assert.That(report.AllActions.Where(a => a.Path.EndsWith("machine-id", StringComparison.Ordinal)).Select(a => a.Operation),
            Is.All.EqualTo("machine-id"));
        Assert.That(fs.Text("/etc/machine-id") ?? string.Empty, Is.Empty);
    }

    [Test]
    public void KeygenUnit_IsInstalledOnDebianButNotOnFedoraFamily()
    {
        var (debian, debianGuest) = GuestTrees.Debian12();
        RunDefaults(debian, debianGuest);
        Assert.That(debian.Exists("/etc/systemd/system/sealer-ssh-keygen.service"), Is.True);
        var (rhel, rhelGuest) = GuestTrees.Rhel9();
        RunDefaults(rhel, rhelGuest);
        Assert.That(rhel.Exists("/etc/systemd/system/sealer-ssh-keygen.service"), Is.False);
    }

    [Test]
    public void Ubuntu_DefaultRun_NetworkComesBackWithoutTheTemplateMac()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        var report = RunDefaults(fs, guest);
        Assert.That(fs.Exists("/etc/netplan/50-cloud-init.yaml"), Is.False, "cloud-init renders it again for the clone");
        Assert.That(fs.Text("/etc/netplan/60-static.yaml"), Does.Contain("macaddress"), "the operator's renamed stanza is kept, not broken");
        Assert.That(report.ToText(), Does.Contain("net-hwaddr: warning: /etc/netplan/60-static.yaml line 5:"));
        Assert.That(fs.Exists("/var/lib/cloud/seed/nocloud/meta-data"), Is.True);
        Assert.That(fs.Exists("/etc/systemd/system/sealer-ssh-keygen.service"), Is.True, "host keys come back even where cloud-init finds no datasource");
        Assert.That(report.ToText(), Does.Contain("cloud-init: delete /etc/netplan/50-cloud-init.yaml ("));
    }

    [Test]
    public void SameGuest_GivesTheSamePlan()
    {
        var (a, guest) = GuestTrees.Rhel9();
        var (b, _) = GuestTrees.Rhel9();
        var first = RunDefaults(a, guest);
        var second = RunDefaults(b, guest);
        Assert.That(first.AllActions, Is.EqualTo(second.AllActions));
        Assert.That(a.AllPaths(), Is.EqualTo(b.AllPaths()));
    }
}
