using System.Text;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Guest.Host;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

/// <summary>The copy-on-write view of a --dir tree: nothing reaches the host before Apply, Apply makes the host equal
/// to the view, refuses a tree that changed since it was read, and never changes a hard-linked file in place.</summary>
[TestFixture]
public sealed class HostDirectoryOverlayTests
{
    private static readonly UnixFileMode Mode644 = (UnixFileMode)0b110_100_100;
    private static readonly UnixFileMode Mode755 = (UnixFileMode)0b111_101_101;

    private TempDirectory temp = null!;
    private string tree = null!;
    private string outside = null!;
    private readonly List<string> mounts = [];

    [SetUp]
    public void SetUp()
    {
        temp = new TempDirectory("sealer-overlay");
        tree = Path.Combine(temp.Path, "tree");
        outside = Path.Combine(temp.Path, "outside");
        HostTree.File(tree, "/etc/hostname", "guest\n");
        HostTree.File(tree, "/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        HostTree.File(tree, "/var/log/syslog", "log line\n");
        HostTree.File(tree, "/var/log/deep/a/b.log", "deep\n");
        HostTree.Dir(tree, "/tmp");
        HostTree.Link(tree, "/etc/localtime", "/usr/share/zoneinfo/UTC");
        HostTree.File(outside, "/machine-id", "host machine id\n");
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var mount in Enumerable.Reverse(mounts))
        {
            ExternalTool.Run("umount", "-l", mount);
        }

        mounts.Clear();
        temp.Dispose();
    }

    private HostDirectoryOverlay Open(bool crossMounts = false) =>
        new(new HostDirectoryFileSystem(tree, readOnly: true, crossMounts: crossMounts));

    [Test]
    public void Changes_AreSeenByReads_ButNothingReachesTheHostUntilApply()
    {
        var before = TreeOracle.Snapshot(tree);
        using var overlay = Open();
        overlay.Truncate("/etc/machine-id", 0);
        overlay.WriteFile("/etc/hostname", "localhost\n"u8, Mode644);
        overlay.DeleteTree("/var/log/deep");
        overlay.Delete("/var/log/syslog");
        overlay.CreateDirectory("/etc/systemd", Mode755);
        overlay.CreateDirectory("/etc/systemd/system", Mode755);
        overlay.WriteFile("/etc/systemd/system/x.service", "[Unit]\n"u8, Mode644);
        overlay.CreateSymbolicLink("/etc/systemd/system/y.service", "/etc/systemd/system/x.service");
        overlay.Delete("/etc/localtime");
        overlay.CreateSymbolicLink("/etc/localtime", "/usr/share/zoneinfo/Europe/Paris");

        Assert.Multiple(() =>
        {
            Assert.That(overlay.TryStat("/etc/machine-id")!.Value.Size, Is.Zero);
            Assert.That(HostTree.Read(overlay, "/etc/hostname"), Is.EqualTo("localhost\n"));
            Assert.That(overlay.TryStat("/var/log/deep"), Is.Null);
            Assert.That(overlay.TryStat("/var/log/deep/a/b.log"), Is.Null);
            Assert.That(overlay.ReadDirectory("/var/log"), Is.Empty);
            Assert.That(overlay.ReadDirectory("/etc").Select(e => e.Name), Is.EqualTo(new[] { "hostname", "localtime", "machine-id", "systemd" }));
            Assert.That(overlay.ReadDirectory("/etc/systemd/system").Select(e => (e.Name, e.Kind)), Is.EqualTo(new[] { ("x.service", FileKind.Regular), ("y.service", FileKind.Symlink) }));
            Assert.That(overlay.ReadLink("/etc/localtime"), Is.EqualTo("/usr/share/zoneinfo/Europe/Paris"));
            Assert.That(() => overlay.TryStat("/etc/hostname/x"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotADirectory));
            Assert.That(() => overlay.ReadDirectory("/var/log/deep"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.NotFound));
            Assert.That(() => overlay.RemoveDirectory("/etc/systemd"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.DirectoryNotEmpty));
        });
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), "nothing may reach the host before Apply");
    }

    [Test]
    public void Apply_MakesTheHostEqualToTheView()
    {
        using var overlay = Open();
        overlay.Truncate("/etc/machine-id", 0);
        overlay.WriteFile("/etc/hostname", "localhost\n"u8, Mode644);
        overlay.Append("/etc/hostname", "more\n"u8);
        overlay.DeleteTree("/var/log/deep");
        overlay.Delete("/var/log/syslog");
        overlay.CreateDirectory("/var/log/deep", Mode755, 12, 34);
        overlay.WriteFile("/var/log/deep/new", "n"u8, (UnixFileMode)0b110_000_000, 56, 78);
        overlay.CreateSymbolicLink("/tmp/link", "../etc/hostname");
        overlay.SetMode("/tmp", (UnixFileMode)0b1_111_111_111);
        overlay.Rename("/etc/machine-id", "/etc/machine-id.old");
        var view = View(overlay);

        overlay.Apply();

        using var host = new HostDirectoryFileSystem(tree, readOnly: true);
        Assert.That(View(host), Is.EqualTo(view));
        Assert.That(overlay.HasChanges, Is.False);
        Assert.That(ExternalTool.Check("stat", "-c", "%a %u %g", HostTree.Host(tree, "/var/log/deep/new")).Trim(), Is.EqualTo("600 56 78"));
        Assert.That(ExternalTool.Check("stat", "-c", "%a", HostTree.Host(tree, "/tmp")).Trim(), Is.EqualTo("1777"));
        Assert.That(Directory.GetFiles(HostTree.Host(tree, "/etc"), "*sealer*"), Is.Empty, "no temporary file is left");
    }

    [Test]
    public void Apply_RefusesWhenATouchedPathChangedSinceItWasRead_AndWritesNothing()
    {
        using var overlay = Open();
        overlay.Truncate("/etc/machine-id", 0);
        overlay.DeleteTree("/var/log/deep");
        File.WriteAllText(HostTree.Host(tree, "/var/log/deep/a/late.log"), "written by someone else meanwhile");
        var before = TreeOracle.Snapshot(tree);

        Assert.That(() => overlay.Apply(), Throws.InstanceOf<ImageBusyException>().With.Message.Contains("/var/log/deep"));
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before));
    }

    [Test]
    public void Apply_RefusesAFileReplacedSinceItWasRead()
    {
        using var overlay = Open();
        overlay.WriteFile("/etc/hostname", "localhost\n"u8, Mode644);
        var host = HostTree.Host(tree, "/etc/hostname");
        File.Delete(host);
        File.WriteAllText(host, "guest\n");
        var before = TreeOracle.Snapshot(tree);

        Assert.That(() => overlay.Apply(), Throws.InstanceOf<ImageBusyException>().With.Message.Contains("/etc/hostname"));
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before));
    }

    [Test]
    public void Apply_ThatTheHostRefusesHalfWay_SaysHowFarItGot()
    {
        ExternalTool.Require("chattr");
        Assume.That(Environment.UserName, Is.EqualTo("root"), "chattr +i needs root");
        var immutable = HostTree.Host(tree, "/var/log");
        using var overlay = Open();
        overlay.WriteFile("/etc/hostname", "localhost\n"u8, Mode644);
        overlay.Delete("/var/log/syslog");
        var chattr = ExternalTool.Run("chattr", "+i", immutable);
        Assume.That(chattr.ExitCode, Is.Zero, $"chattr +i not supported here: {chattr}");
        try
        {
            Assert.That(() => overlay.Apply(), Throws.InstanceOf<ImageBusyException>().With.Message.Contains("after 1 of 2 paths").And.Message.Contains("partly sealed"));
        }
        finally
        {
            ExternalTool.Run("chattr", "-i", immutable);
        }

        Assert.That(File.ReadAllText(HostTree.Host(tree, "/etc/hostname")), Is.EqualTo("localhost\n"), "parents first: /etc/hostname was done");
        Assert.That(File.Exists(HostTree.Host(tree, "/var/log/syslog")), Is.True);
        Assert.That(Directory.GetFiles(HostTree.Host(tree, "/etc"), ".*sealer*"), Is.Empty, "no temporary file is left");
    }

    [Test]
    public void HardLinkedFile_IsReplaced_NeverChangedInPlace()
    {
        var guestFile = HostTree.Host(tree, "/etc/machine-id");
        var hostFile = Path.Combine(outside, "machine-id");
        File.Delete(guestFile);
        ExternalTool.Check("ln", hostFile, guestFile);
        ExternalTool.Check("ln", hostFile, HostTree.Host(tree, "/etc/hostname.bak"));
        var hostBefore = TreeOracle.Snapshot(outside, withChange: false);

        using (var overlay = Open())
        {
            overlay.Truncate("/etc/machine-id", 0);
            overlay.Delete("/etc/hostname.bak");
            overlay.Apply();
        }

        Assert.That(File.ReadAllText(hostFile), Is.EqualTo("host machine id\n"));
        Assert.That(new FileInfo(guestFile).Length, Is.Zero);
        Assert.That(ExternalTool.Check("stat", "-c", "%h", hostFile).Trim(), Is.EqualTo("1"));
        Assert.That(TreeOracle.Snapshot(outside, withChange: false), Is.EqualTo(hostBefore));
    }

    [Test]
    public void ReplacedFile_KeepsModeOwnerAndExtendedAttributes_OnANewInode()
    {
        ExternalTool.Require("setfattr");
        ExternalTool.Require("getfattr");
        var host = HostTree.Host(tree, "/etc/hostname");
        ExternalTool.Check("chmod", "640", host);
        var attr = ExternalTool.Run("setfattr", "-n", "user.sealer-test", "-v", "kept", host);
        Assume.That(attr.ExitCode, Is.Zero, $"user xattrs not supported here: {attr}");
        var inodeBefore = ExternalTool.Check("stat", "-c", "%i", host).Trim();

        using (var overlay = Open())
        {
            overlay.WriteFile("/etc/hostname", "localhost\n"u8, Mode644);
            overlay.Apply();
        }

        Assert.That(File.ReadAllText(host), Is.EqualTo("localhost\n"));
        Assert.That(ExternalTool.Check("stat", "-c", "%i", host).Trim(), Is.Not.EqualTo(inodeBefore));
        Assert.That(ExternalTool.Check("stat", "-c", "%a", host).Trim(), Is.EqualTo("640"), "WriteFile keeps the existing file's mode");
        Assert.That(ExternalTool.Check("getfattr", "-n", "user.sealer-test", "--only-values", host), Is.EqualTo("kept"));
    }

    [Test]
    public void WritableTree_RefusesToTruncateOrAppendAHardLinkedFileInPlace()
    {
        var guestFile = HostTree.Host(tree, "/etc/machine-id");
        File.Delete(guestFile);
        ExternalTool.Check("ln", Path.Combine(outside, "machine-id"), guestFile);
        using var fs = new HostDirectoryFileSystem(tree);
        Assert.That(() => fs.Truncate("/etc/machine-id", 0), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.TooManyLinks));
        Assert.That(() => fs.Append("/etc/machine-id", "x"u8), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.TooManyLinks));
        fs.WriteFile("/etc/machine-id", ""u8, Mode644);
        Assert.That(File.ReadAllText(Path.Combine(outside, "machine-id")), Is.EqualTo("host machine id\n"), "WriteFile replaces the inode");
        Assert.That(new FileInfo(guestFile).Length, Is.Zero);
    }

    [Test]
    public void Fifo_IsNeverOpened()
    {
        ExternalTool.Check("mkfifo", HostTree.Host(tree, "/etc/fifo"));
        using var overlay = Open();
        Assert.That(overlay.TryStat("/etc/fifo")!.Value.Kind, Is.EqualTo(FileKind.Fifo));
        var open = Task.Run(() => overlay.OpenRead("/etc/fifo"));
        Assert.That(Task.WaitAny([open], TimeSpan.FromSeconds(20)), Is.Zero, "opening a fifo must not block");
        Assert.That(open.Exception?.InnerException, Is.InstanceOf<GuestFileSystemException>());
        Assert.That(() => overlay.WriteFile("/etc/fifo", "x"u8, Mode644), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        Assert.That(() => overlay.Truncate("/etc/fifo", 0), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.InvalidPath));
        overlay.Delete("/etc/fifo");
        overlay.Apply();
        Assert.That(File.Exists(HostTree.Host(tree, "/etc/fifo")), Is.False);
    }

    [TestCase("bind")]
    [TestCase("tmpfs")]
    public void MountPointInsideTheTree_IsNotCrossed(string kind)
    {
        var mountPoint = MountInside("/var/log/deep", kind);
        var mountedBefore = TreeOracle.Snapshot(mountPoint);
        using (var overlay = Open())
        {
            Assert.That(overlay.TryStat("/var/log/deep")!.Value.Kind, Is.EqualTo(FileKind.Directory), "the mount point itself is visible");
            Assert.Multiple(() =>
            {
                Assert.That(() => overlay.ReadDirectory("/var/log/deep"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
                Assert.That(() => overlay.TryStat("/var/log/deep/mounted.log"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
                Assert.That(() => overlay.DeleteTree("/var/log/deep"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
                Assert.That(() => overlay.DeleteTree("/var/log"), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice).And.Property("Path").EqualTo("/var/log/deep"));
                Assert.That(() => overlay.WriteFile("/var/log/deep/new", "x"u8, Mode644), Throws.InstanceOf<GuestFileSystemException>().With.Property("Code").EqualTo(FsError.CrossDevice));
            });
            overlay.Delete("/var/log/syslog");
            overlay.Apply();
        }

        Assert.That(File.Exists(HostTree.Host(tree, "/var/log/syslog")), Is.False);
        Assert.That(TreeOracle.Snapshot(mountPoint), Is.EqualTo(mountedBefore));

        using var crossing = Open(crossMounts: true);
        Assert.That(crossing.ReadDirectory("/var/log/deep").Select(e => e.Name), Does.Contain("mounted.log"));
    }

    [Test]
    public void LiveHostRoot_IsRecognisedByDeviceAndInode()
    {
        Assert.That(HostDirectoryFileSystem.IsLiveHostRoot("/"), Is.True);
        Assert.That(HostDirectoryFileSystem.IsLiveHostRoot("/proc/self/root"), Is.True);
        Assert.That(HostDirectoryFileSystem.IsLiveHostRoot("/tmp/../"), Is.True);
        Assert.That(HostDirectoryFileSystem.IsLiveHostRoot(tree), Is.False);
        Assert.That(HostDirectoryFileSystem.IsLiveHostRoot(Path.Combine(temp.Path, "missing")), Is.False);
    }

    /// <summary>Mounts a bind mount of a host folder (or a tmpfs) over a directory of the tree, holding one file.</summary>
    private string MountInside(string guestPath, string kind)
    {
        ExternalTool.Require("mount");
        Assume.That(Environment.UserName, Is.EqualTo("root"), "mounting needs root");
        var mountPoint = HostTree.Host(tree, guestPath);
        if (kind == "bind")
        {
            var source = HostTree.Dir(outside, "/log");
            File.WriteAllText(Path.Combine(source, "mounted.log"), "host log\n");
            var bind = ExternalTool.Run("mount", "--bind", source, mountPoint);
            Assume.That(bind.ExitCode, Is.Zero, $"bind mount not possible here: {bind}");
        }
        else
        {
            var tmpfs = ExternalTool.Run("mount", "-t", "tmpfs", "-o", "size=1m", "sealer-test", mountPoint);
            Assume.That(tmpfs.ExitCode, Is.Zero, $"tmpfs mount not possible here: {tmpfs}");
            File.WriteAllText(Path.Combine(mountPoint, "mounted.log"), "tmpfs log\n");
        }

        mounts.Add(mountPoint);
        return mountPoint;
    }

    /// <summary>Every path of a file system with what a user sees of it (not inode numbers or times).</summary>
    private static List<string> View(IFileSystem fs)
    {
        var lines = new List<string>();
        Walk(fs, "/", lines);
        return lines;
    }

    private static void Walk(IFileSystem fs, string directory, List<string> lines)
    {
        foreach (var entry in fs.ReadDirectory(directory))
        {
            var path = PosixPath.Combine(directory, entry.Name);
            var status = fs.TryStat(path)!.Value;
            var detail = status.Kind switch
            {
                FileKind.Regular => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(HostTree.Read(fs, path)))),
                FileKind.Symlink => fs.ReadLink(path),
                _ => string.Empty,
            };
            // A symlink's mode is 0777 on the host whatever was asked; the view does not pretend otherwise.
            var mode = status.Kind == FileKind.Symlink ? "-" : Convert.ToString((int)status.Mode, 8);
            // A directory's size is the host file system's business (4096 on ext4, entries on tmpfs).
            var size = status.Kind == FileKind.Directory ? "-" : status.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"{path} {status.Kind} {mode} {status.Uid}:{status.Gid} {size} {detail}");
            if (status.Kind == FileKind.Directory)
            {
                Walk(fs, path, lines);
            }
        }
    }
}
