using System.Globalization;
using System.Text;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Guest.Host;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class HostDirectoryFileSystemTests
{
    private TempDirectory temp = null!;
    private string tree = null!;
    private string outside = null!;
    private HostDirectoryFileSystem fs = null!;

    [SetUp]
    public void SetUp()
    {
        temp = new TempDirectory("sealer-hostdir");
        tree = Path.Combine(temp.Path, "tree");
        outside = Path.Combine(temp.Path, "outside");
        HostTree.File(tree, "/etc/hostname", "guest\n");
        HostTree.Dir(tree, "/var/log");
        HostTree.File(outside, "/secret", "host secret\n");
        HostTree.Link(tree, "/hostlink", outside);
        HostTree.Link(tree, "/etc/secretlink", Path.Combine(outside, "secret"));
        fs = new HostDirectoryFileSystem(tree, new FileSystemIdentity("ext4", "abc", "lbl"));
    }

    [TearDown]
    public void TearDown()
    {
        fs.Dispose();
        temp.Dispose();
    }

    [Test]
    public void TryStat_AgreesWithStatTool()
    {
        ExternalTool.Require("stat");
        ExternalTool.Check("chmod", "640", Path.Combine(tree, "etc/hostname"));
        foreach (var path in new[] { "/etc/hostname", "/var/log", "/hostlink", "/" })
        {
            var host = path == "/" ? tree : HostTree.Host(tree, path);
            var fields = ExternalTool.Check("stat", "-c", "%f %u %g %s %i %h %X %Y %Z", host).Trim().Split(' ');
            var status = fs.TryStat(path);
            Assert.That(status, Is.Not.Null, path);
            var raw = uint.Parse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Multiple(() =>
            {
                Assert.That((uint)status!.Value.Mode, Is.EqualTo(raw & 0xfff), path);
                Assert.That(status.Value.Uid.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[1]), path);
                Assert.That(status.Value.Gid.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[2]), path);
                Assert.That(status.Value.Size.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[3]), path);
                Assert.That(status.Value.Inode.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[4]), path);
                Assert.That(status.Value.LinkCount.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[5]), path);
                Assert.That(status.Value.ModifiedTime.ToString(CultureInfo.InvariantCulture), Is.EqualTo(fields[7]), path);
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(fs.TryStat("/hostlink")!.Value.Kind, Is.EqualTo(FileKind.Symlink));
            Assert.That(fs.TryStat("/var/log")!.Value.Kind, Is.EqualTo(FileKind.Directory));
            Assert.That(fs.TryStat("/etc/hostname")!.Value.Kind, Is.EqualTo(FileKind.Regular));
            Assert.That(fs.TryStat("/etc/missing"), Is.Null);
            Assert.That(fs.TryStat("/missing/dir/file"), Is.Null);
        });
    }

    [Test]
    public void SymlinkAsDirectoryComponent_IsNotADirectory_AndNeverReachesTheHost()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => fs.TryStat("/hostlink/secret"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.OpenRead("/hostlink/secret"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.ReadDirectory("/hostlink"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.WriteFile("/hostlink/new", "x"u8, (UnixFileMode)0b110_100_100), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.OpenRead("/etc/secretlink"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
            Assert.That(() => fs.WriteFile("/etc/secretlink", "pwned"u8, (UnixFileMode)0b110_100_100), Throws.InstanceOf<GuestFileSystemException>());
            Assert.That(() => fs.Truncate("/etc/secretlink", 0), Throws.InstanceOf<GuestFileSystemException>());
            Assert.That(() => fs.TryStat("/hostlink/../etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
        });
        Assert.That(File.ReadAllText(Path.Combine(outside, "secret")), Is.EqualTo("host secret\n"));
        Assert.That(File.Exists(Path.Combine(outside, "new")), Is.False);
        Assert.That(fs.ReadLink("/hostlink"), Is.EqualTo(outside));
    }

    [Test]
    public void DotDot_StaysInsideTheTree()
    {
        Assert.That(HostTree.Read(fs, "/var/../etc/hostname"), Is.EqualTo("guest\n"));
        Assert.That(HostTree.Read(fs, "/../../../etc/hostname"), Is.EqualTo("guest\n"));
        Assert.That(() => fs.TryStat("/etc/hostname/.."), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory), "as stat(2): ENOTDIR");
    }

    [Test]
    public void ReadDirectory_ListsNamesAndKinds()
    {
        var entries = fs.ReadDirectory("/etc");
        Assert.That(entries.Select(e => (e.Name, e.Kind)), Is.EquivalentTo(new[] { ("hostname", FileKind.Regular), ("secretlink", FileKind.Symlink) }));
        Assert.That(fs.ReadDirectory("/").Select(e => e.Name), Is.EquivalentTo(new[] { "etc", "var", "hostlink" }));
        Assert.That(() => fs.ReadDirectory("/etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
    }

    [Test]
    public void WriteFile_CreatesWithModeAndOwner_ThenReplacesContentOnly()
    {
        ExternalTool.Require("stat");
        Assume.That(Environment.UserName, Is.EqualTo("root"), "setting other owners needs root");
        fs.WriteFile("/etc/new.conf", "one\n"u8, (UnixFileMode)0b110_000_000, 1234, 5678);
        fs.WriteFile("/etc/new.conf", "two two\n"u8, (UnixFileMode)0b111_111_111, 1, 1);
        var host = HostTree.Host(tree, "/etc/new.conf");
        Assert.That(File.ReadAllText(host), Is.EqualTo("two two\n"));
        Assert.That(ExternalTool.Check("stat", "-c", "%a %u %g", host).Trim(), Is.EqualTo("600 1234 5678"));
    }

    [Test]
    public void Mutations_MatchTheHostTree()
    {
        ExternalTool.Require("stat");
        fs.Append("/etc/hostname", "more\n"u8);
        Assert.That(File.ReadAllText(HostTree.Host(tree, "/etc/hostname")), Is.EqualTo("guest\nmore\n"));
        fs.Truncate("/etc/hostname", 3);
        Assert.That(File.ReadAllText(HostTree.Host(tree, "/etc/hostname")), Is.EqualTo("gue"));
        fs.CreateDirectory("/srv", (UnixFileMode)0b111_101_000);
        Assert.That(ExternalTool.Check("stat", "-c", "%a %F", HostTree.Host(tree, "/srv")).Trim(), Is.EqualTo("750 directory"));
        fs.CreateSymbolicLink("/srv/link", "/etc/hostname");
        Assert.That(new FileInfo(HostTree.Host(tree, "/srv/link")).LinkTarget, Is.EqualTo("/etc/hostname"));
        fs.CreateHardLink("/etc/hostname", "/srv/hard");
        Assert.That(fs.TryStat("/srv/hard")!.Value.Inode, Is.EqualTo(fs.TryStat("/etc/hostname")!.Value.Inode));
        Assert.That(fs.TryStat("/etc/hostname")!.Value.LinkCount, Is.EqualTo(2));
        fs.Rename("/srv/hard", "/var/log/renamed");
        Assert.That(HostTree.Read(fs, "/var/log/renamed"), Is.EqualTo("gue"));
        fs.SetMode("/var/log/renamed", (UnixFileMode)0b100_000_000);
        fs.SetTimes("/var/log/renamed", 1_000_000, 2_000_000);
        Assert.That(ExternalTool.Check("stat", "-c", "%a %X %Y", HostTree.Host(tree, "/var/log/renamed")).Trim(), Is.EqualTo("400 1000000 2000000"));
        fs.SetTimes("/srv/link", 3_000_000, 4_000_000);
        Assert.That(ExternalTool.Check("stat", "-c", "%Y", HostTree.Host(tree, "/srv/link")).Trim(), Is.EqualTo("4000000"), "the link itself, not /etc/hostname");
        Assert.That(() => fs.RemoveDirectory("/srv"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.DirectoryNotEmpty));
        Assert.That(() => fs.Delete("/srv"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.IsADirectory));
        Assert.That(() => fs.CreateDirectory("/srv", UnixFileMode.UserRead), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.AlreadyExists));
        fs.Delete("/srv/link");
        Assert.That(File.Exists(HostTree.Host(tree, "/etc/hostname")), Is.True, "unlinking a symlink keeps its target");
        fs.RemoveDirectory("/srv");
        Assert.That(Directory.Exists(HostTree.Host(tree, "/srv")), Is.False);
    }

    [Test]
    public void DeleteTree_RemovesLinksButNotTheirTargets()
    {
        HostTree.File(tree, "/tmp/a/b/c.txt", "c");
        HostTree.Link(tree, "/tmp/a/out", outside);
        HostTree.Link(tree, "/tmp/a/b/secret", Path.Combine(outside, "secret"));
        fs.DeleteTree("/tmp");
        Assert.That(Directory.Exists(HostTree.Host(tree, "/tmp")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(outside, "secret")), Is.EqualTo("host secret\n"));
        Assert.That(() => fs.DeleteTree("/hostlink"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
        Assert.That(Directory.Exists(outside), Is.True);
    }

    [Test]
    public void WriteFile_RefusesSpecialFiles()
    {
        ExternalTool.Require("mkfifo");
        ExternalTool.Check("mkfifo", HostTree.Host(tree, "/var/log/fifo"));
        Assert.That(fs.TryStat("/var/log/fifo")!.Value.Kind, Is.EqualTo(FileKind.Fifo));
        Assert.That(() => fs.WriteFile("/var/log/fifo", "x"u8, UnixFileMode.UserRead), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        Assert.That(() => fs.OpenRead("/var/log/fifo"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
    }

    [Test]
    public void ReadOnly_RefusesEveryChange()
    {
        using var readOnly = new HostDirectoryFileSystem(tree, readOnly: true);
        Assert.That(readOnly.CanWrite, Is.False);
        Assert.That(readOnly.TypeName, Is.EqualTo("hostdir"));
        Assert.That(readOnly.Identity.Type, Is.EqualTo("hostdir"));
        Assert.That(() => readOnly.Truncate("/etc/hostname", 0), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.ReadOnly));
        Assert.That(() => readOnly.Delete("/etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.ReadOnly));
        Assert.That(File.ReadAllText(HostTree.Host(tree, "/etc/hostname")), Is.EqualTo("guest\n"));
        Assert.That(Encoding.UTF8.GetString(File.ReadAllBytes(HostTree.Host(tree, "/etc/hostname"))), Is.EqualTo("guest\n"));
    }

    [Test]
    public void MissingDirectory_IsImageNotFound() =>
        Assert.That(() => new HostDirectoryFileSystem(Path.Combine(temp.Path, "nope")), Throws.InstanceOf<ImageNotFoundException>());

    [Test]
    public void ErrorCodes_FollowPosix()
    {
        HostTree.File(tree, "/var/log/full/x", "x");
        Assert.Multiple(() =>
        {
            Assert.That(() => fs.Rename("/etc/hostname", "/var/log/full"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.IsADirectory));
            Assert.That(() => fs.Rename("/var/log", "/etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.Rename("/var", "/etc"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.DirectoryNotEmpty));
            Assert.That(() => fs.CreateHardLink("/var", "/varlink"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.IsADirectory));
            Assert.That(() => fs.CreateHardLink("/etc/hostname", "/hostlink"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.AlreadyExists));
            Assert.That(() => fs.Delete("/etc/nothing"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotFound));
            Assert.That(() => fs.RemoveDirectory("/etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => fs.ReadLink("/etc/hostname"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
            Assert.That(() => fs.OpenRead("/var"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.IsADirectory));
            Assert.That(() => fs.Delete("/"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.IsADirectory));
            Assert.That(() => fs.TryStat("etc"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        });
        Assert.That(File.ReadAllText(HostTree.Host(tree, "/etc/hostname")), Is.EqualTo("guest\n"));
    }
}
