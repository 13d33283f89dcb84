using NUnit.Framework;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class GuestInspectorTests
{
    private TempDirectory temp = null!;
    private readonly Dictionary<string, string> trees = [];

    private static readonly string[] Distros = ["debian12", "ubuntu2404", "fedora40", "opensuse", "arch", "alpine"];

    [OneTimeSetUp]
    public void MakeTrees()
    {
        temp = new TempDirectory("sealer-inspect");
        // The first use of each distro runs the script: do the six in parallel.
        Parallel.ForEach(Distros, distro =>
        {
            var path = HostTree.MakeGuestTree(distro, Path.Combine(temp.Path, "p-" + distro));
            lock (trees)
            {
                trees[distro] = path;
            }
        });
    }

    [OneTimeTearDown]
    public void RemoveTrees() => temp.Dispose();

    public static IEnumerable<TestCaseData> Expectations()
    {
        yield return new TestCaseData("debian12", "debian", "12", DistroFamily.Debian, 252, true,
            NetworkStacks.Ifupdown | NetworkStacks.Networkd);
        yield return new TestCaseData("ubuntu2404", "ubuntu", "24.04", DistroFamily.Debian, 255, true,
            NetworkStacks.Netplan | NetworkStacks.Networkd);
        yield return new TestCaseData("fedora40", "fedora", "40", DistroFamily.RedHat, 255, true,
            NetworkStacks.NetworkManager);
        yield return new TestCaseData("opensuse", "opensuse-leap", "15.6", DistroFamily.Suse, 254, true,
            NetworkStacks.Wicked);
        yield return new TestCaseData("arch", "arch", null, DistroFamily.Arch, 256, false, NetworkStacks.Networkd);
        yield return new TestCaseData("alpine", "alpine", "3.20.3", DistroFamily.Alpine, null, false, NetworkStacks.Ifupdown);
    }

    [TestCaseSource(nameof(Expectations))]
    public void Inspect_RecognisesGeneratedTree(string distro, string id, string? version, DistroFamily family, int? systemd, bool cloudInit, NetworkStacks stacks)
    {
        using var fs = new HostDirectoryFileSystem(trees[distro], readOnly: true);
        var info = GuestInspector.Inspect(fs);
        Assert.Multiple(() =>
        {
            Assert.That(info.DistroId, Is.EqualTo(id));
            Assert.That(info.VersionId, Is.EqualTo(version));
            Assert.That(info.Family, Is.EqualTo(family));
            Assert.That(info.SystemdVersion, Is.EqualTo(systemd));
            Assert.That(info.HasCloudInit, Is.EqualTo(cloudInit));
            Assert.That(info.NetworkStacks, Is.EqualTo(stacks));
            Assert.That(info.HasSshServer, Is.True);
            Assert.That(info.Hostname, Is.EqualTo($"{distro}-vm01"));
            Assert.That(info.PrettyName, Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public void GeneratedTrees_HaveTheFilesOperationsNeed()
    {
        foreach (var distro in Distros)
        {
            var tree = trees[distro];
            Assert.That(File.ReadAllText(Path.Combine(tree, "etc/machine-id")).Trim(), Does.Match("^[0-9a-f]{32}$"), distro);
            Assert.That(Directory.GetFiles(Path.Combine(tree, "etc/ssh"), "ssh_host_*_key"), Has.Length.EqualTo(3), distro);
            Assert.That(File.ReadAllText(Path.Combine(tree, "etc/fstab")), Does.Contain("UUID="), distro);
            var size = new DirectoryInfo(tree).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.LinkTarget is null).Sum(f => f.Length);
            Assert.That(size, Is.LessThan(2 * 1024 * 1024), distro);
        }

        Assert.That(new FileInfo(Path.Combine(trees["debian12"], "var/lib/dbus/machine-id")).LinkTarget, Is.EqualTo("/etc/machine-id"));
        Assert.That(new FileInfo(Path.Combine(trees["alpine"], "var/lib/dbus/machine-id")).LinkTarget, Is.Null);
    }
}
