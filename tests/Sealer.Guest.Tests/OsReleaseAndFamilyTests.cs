using NUnit.Framework;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class OsReleaseAndFamilyTests
{
    [Test]
    public void EmptyTree_IsUnknown()
    {
        using var empty = new TempDirectory("sealer-inspect-empty");
        using var fs = new HostDirectoryFileSystem(empty.Path);
        var info = GuestInspector.Inspect(fs);
        Assert.That(info.IdLike, Is.Empty);
        Assert.That(info with { IdLike = [] }, Is.EqualTo(new GuestInfo() with { IdLike = [] }));
    }

    [TestCase("ID=\"rhel\"\nID_LIKE=\"fedora\"", "rhel", DistroFamily.RedHat)]
    [TestCase("ID=rocky\nID_LIKE=\"rhel centos fedora\"", "rocky", DistroFamily.RedHat)]
    [TestCase("ID=linuxmint\nID_LIKE='ubuntu debian'", "linuxmint", DistroFamily.Debian)]
    [TestCase("ID=\"sles\"", "sles", DistroFamily.Suse)]
    [TestCase("ID=opensuse-tumbleweed\nID_LIKE=\"opensuse suse\"", "opensuse-tumbleweed", DistroFamily.Suse)]
    [TestCase("ID=manjaro\nID_LIKE=arch", "manjaro", DistroFamily.Arch)]
    [TestCase("ID=nixos", "nixos", DistroFamily.Unknown)]
    [TestCase("# only a comment\nNAME=x", "unknown", DistroFamily.Unknown)]
    public void Family_FromIdAndIdLike(string osRelease, string id, DistroFamily family)
    {
        using var dir = new TempDirectory("sealer-osr");
        HostTree.File(dir.Path, "/usr/lib/os-release", osRelease + "\n");
        using var fs = new HostDirectoryFileSystem(dir.Path);
        var info = GuestInspector.Inspect(fs);
        Assert.That((info.DistroId, info.Family), Is.EqualTo((id, family)));
    }

    [TestCase("PRETTY_NAME=\"Say \\\"hi\\\" \\\\ \\$HOME\"", "Say \"hi\" \\ $HOME")]
    [TestCase("PRETTY_NAME='single \\n kept'", "single \\n kept")]
    [TestCase("PRETTY_NAME=bare", "bare")]
    [TestCase("  PRETTY_NAME=\"spaced\"  ", "spaced")]
    [TestCase("PRETTY_NAME=\"a\"'b'c", "abc")]
    public void OsRelease_QuotingPerOsRelease5(string line, string expected)
    {
        using var dir = new TempDirectory("sealer-osr");
        HostTree.File(dir.Path, "/etc/os-release", "ID=x\n" + line + "\n");
        using var fs = new HostDirectoryFileSystem(dir.Path);
        Assert.That(GuestInspector.Inspect(fs).PrettyName, Is.EqualTo(expected));
    }

    [Test]
    public void EtcOsRelease_WinsOverUsrLib_AndHostIsNeverRead()
    {
        using var dir = new TempDirectory("sealer-osr");
        HostTree.File(dir.Path, "/usr/lib/os-release", "ID=fedora\n");
        HostTree.File(dir.Path, "/etc/os-release", "ID=debian\n");
        HostTree.Link(dir.Path, "/etc/hostname", "/../../../../etc/hostname");
        using var fs = new HostDirectoryFileSystem(dir.Path);
        var info = GuestInspector.Inspect(fs);
        Assert.That(info.DistroId, Is.EqualTo("debian"));
        Assert.That(info.Hostname, Is.Null, "the link points at a guest /etc/hostname that is itself the link: a loop, never the host file");
    }

    [TestCase("libsystemd-shared-252.so", 252)]
    [TestCase("libsystemd-shared-255.4-1.fc40.so", 255)]
    [TestCase("libsystemd-shared-256.so.0", 256)]
    [TestCase("libsystemd-shared.so", null)]
    [TestCase("libsystemd-core-252.so", null)]
    public void SystemdVersion_FromSharedLibraryName(string name, int? expected) =>
        Assert.That(GuestInspector.ParseSharedLibraryVersion(name), Is.EqualTo(expected));
}
