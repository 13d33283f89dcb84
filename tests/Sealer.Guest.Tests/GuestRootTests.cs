using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Guest.Host;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class GuestRootTests
{
    private TempDirectory temp = null!;
    private string rootDir = null!;
    private string varDir = null!;
    private GuestRoot guest = null!;

    [SetUp]
    public void SetUp()
    {
        temp = new TempDirectory("sealer-guestroot");
        rootDir = Path.Combine(temp.Path, "root");
        varDir = Path.Combine(temp.Path, "var");
        HostTree.File(rootDir, "/etc/passwd", "guest-passwd\n");
        HostTree.File(rootDir, "/usr/lib/os-release", "ID=debian\n");
        HostTree.Link(rootDir, "/etc/os-release", "../usr/lib/os-release");
        HostTree.Link(rootDir, "/etc/evil", "/../../../../etc/passwd");
        HostTree.Link(rootDir, "/etc/evil-relative", "../../../../../../../../etc/passwd");
        HostTree.Link(rootDir, "/etc/loop-a", "loop-b");
        HostTree.Link(rootDir, "/etc/loop-b", "/etc/loop-a");
        HostTree.Link(rootDir, "/etc/self", "self");
        HostTree.Link(rootDir, "/bin", "usr/bin");
        HostTree.File(rootDir, "/usr/bin/ls", "ls-binary");
        HostTree.Dir(rootDir, "/var");
        HostTree.Dir(rootDir, "/run/lock");
        HostTree.File(rootDir, "/var/hidden-under-mount", "x");
        HostTree.Link(varDir, "/run", "/run");
        HostTree.Link(varDir, "/lib/up", "../../etc/passwd");
        HostTree.File(varDir, "/log/syslog", "var-syslog\n");
        guest = new GuestRoot(new HostDirectoryFileSystem(rootDir));
        Assert.That(guest.Mount("/var", new HostDirectoryFileSystem(varDir)), Is.EqualTo("/var"));
    }

    [TearDown]
    public void TearDown()
    {
        guest.Dispose();
        temp.Dispose();
    }

    [Test]
    public void AbsoluteAndRelativeEscapes_ResolveInsideTheGuest()
    {
        Assert.That(HostTree.Read(guest, "/etc/evil"), Is.EqualTo("guest-passwd\n"));
        Assert.That(HostTree.Read(guest, "/etc/evil-relative"), Is.EqualTo("guest-passwd\n"));
        Assert.That(HostTree.Read(guest, "/../../etc/passwd"), Is.EqualTo("guest-passwd\n"));
        Assert.That(guest.ResolvePath("/etc/evil", followLast: true), Is.EqualTo("/etc/passwd"));
        Assert.That(guest.ResolvePath("/etc/evil", followLast: false), Is.EqualTo("/etc/evil"));
    }

    [Test]
    public void RelativeLinkToUsrLib_IsFollowed()
    {
        Assert.That(HostTree.Read(guest, "/etc/os-release"), Is.EqualTo("ID=debian\n"));
        Assert.That(guest.TryStat("/etc/os-release")!.Value.Kind, Is.EqualTo(FileKind.Symlink));
        Assert.That(guest.TryStatFollow("/etc/os-release")!.Value.Kind, Is.EqualTo(FileKind.Regular));
        Assert.That(HostTree.Read(guest, "/bin/ls"), Is.EqualTo("ls-binary"));
        Assert.That(guest.ReadDirectory("/bin").Select(e => e.Name), Is.EqualTo(new[] { "ls" }));
    }

    [Test]
    public void SymlinkLoops_FailWithSymlinkLoop()
    {
        Assert.That(() => guest.OpenRead("/etc/loop-a"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.SymlinkLoop));
        Assert.That(() => guest.TryStatFollow("/etc/self"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.SymlinkLoop));
        Assert.That(() => guest.TryStat("/etc/loop-a/x"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.SymlinkLoop));
        Assert.That(guest.TryStat("/etc/loop-a")!.Value.Kind, Is.EqualTo(FileKind.Symlink), "lstat does not follow");
    }

    [Test]
    public void FortyHops_AreAllowed_FortyOneAreNot()
    {
        HostTree.File(rootDir, "/chain/target", "end");
        for (var i = 0; i < 41; i++)
        {
            HostTree.Link(rootDir, $"/chain/l{i}", i == 0 ? "target" : $"l{i - 1}");
        }

        Assert.That(HostTree.Read(guest, "/chain/l39"), Is.EqualTo("end"));
        Assert.That(() => guest.OpenRead("/chain/l40"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.SymlinkLoop));
    }

    [Test]
    public void Symlinks_CrossMountPointsBothWays()
    {
        Assert.That(HostTree.Read(guest, "/var/log/syslog"), Is.EqualTo("var-syslog\n"));
        Assert.That(guest.ResolvePath("/var/run/lock", followLast: true), Is.EqualTo("/run/lock"));
        guest.WriteFile("/var/run/lock/pid", "42"u8, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.That(File.ReadAllText(HostTree.Host(rootDir, "/run/lock/pid")), Is.EqualTo("42"), "written to the root file system's /run");
        Assert.That(HostTree.Read(guest, "/var/lib/up"), Is.EqualTo("guest-passwd\n"), "'..' leaves the /var mount upward");
        Assert.That(guest.TryStat("/var/hidden-under-mount"), Is.Null, "the mount hides what is below it");
        using var varFs = new HostDirectoryFileSystem(varDir);
        Assert.That(guest.TryStat("/var")!.Value.Inode, Is.EqualTo(varFs.TryStat("/")!.Value.Inode));
    }

    [Test]
    public void Mutations_DoNotFollowTheLastComponent()
    {
        guest.Delete("/etc/evil");
        Assert.That(guest.TryStat("/etc/evil"), Is.Null);
        Assert.That(HostTree.Read(guest, "/etc/passwd"), Is.EqualTo("guest-passwd\n"));
        guest.Rename("/etc/os-release", "/etc/os-release.old");
        Assert.That(guest.ReadLink("/etc/os-release.old"), Is.EqualTo("../usr/lib/os-release"));
    }

    [Test]
    public void CrossMountRenameAndLink_AreCrossDevice_MountPointsAreBusy()
    {
        Assert.That(() => guest.Rename("/var/log/syslog", "/etc/syslog"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
        Assert.That(() => guest.CreateHardLink("/etc/passwd", "/var/passwd"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
        Assert.That(() => guest.RemoveDirectory("/var"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        Assert.That(() => guest.DeleteTree("/"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        Assert.That(File.Exists(HostTree.Host(varDir, "/log/syslog")), Is.True);
        guest.Rename("/var/log/syslog", "/var/syslog.1");
        Assert.That(File.Exists(HostTree.Host(varDir, "/syslog.1")), Is.True);
    }

    [Test]
    public void Mount_RequiresAnExistingDirectory()
    {
        using var other = new TempDirectory("sealer-guestroot-other");
        Assert.That(() => guest.Mount("/nope", new HostDirectoryFileSystem(other.Path)), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotFound));
        Assert.That(() => guest.Mount("/etc/passwd", new HostDirectoryFileSystem(other.Path)), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
        Assert.That(guest.Mounts.Select(m => m.Key), Is.EqualTo(new[] { "/", "/var" }));
    }

    [Test]
    public void MissingIntermediate_IsNotFound_ForResolve_AndNullForStat()
    {
        Assert.That(guest.TryStat("/no/such/file"), Is.Null);
        Assert.That(guest.TryStatFollow("/etc/evil-missing"), Is.Null);
        Assert.That(() => guest.ResolvePath("/no/such/file", followLast: false), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotFound));
        Assert.That(guest.ResolvePath("/etc/new-file", followLast: true), Is.EqualTo("/etc/new-file"));
    }
}
