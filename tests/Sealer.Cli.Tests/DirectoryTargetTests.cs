using System.Diagnostics;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// `--dir TREE` keeps the promises `-a IMAGE` keeps (issue 7, items 1-6): check, inspect and a dry run change nothing
/// (every path, mode, owner, time, inode and link target compared with find(1)); the dry-run report is the real run's;
/// the real run changes exactly what it reports; a failed run changes nothing; the running host's root is refused;
/// hostile trees (links and hard links to host files, bind mounts, fifos, dangling /etc/systemd) never reach the host.
/// </summary>
[TestFixture]
public sealed class DirectoryTargetTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private TempDirectory temp = null!;
    private readonly List<string> mounts = [];

    [SetUp]
    public void SetUp() => temp = new TempDirectory("sealer-dirtarget");

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

    [TestCase("debian12")]
    [TestCase("fedora40")]
    [TestCase("alpine")]
    public void CheckInspectAndDryRun_ChangeNothingInTheTree(string distro)
    {
        var tree = GuestTree(distro);
        var before = TreeOracle.Snapshot(tree);

        Assert.That(Sealer("check", "--dir", tree).ExitCode, Is.EqualTo(1), "a used tree has findings");
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), "check wrote to the tree");
        Sealer("inspect", "--dir", tree).AssertExit(0);
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), "inspect wrote to the tree");
        var dry = Sealer("seal", "--dir", tree, "--dry-run").AssertExit(0);
        Assert.That(dry.StdOut, Does.Contain("machine-id"));
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), "seal --dry-run wrote to the tree");
    }

    [TestCase("debian12")]
    [TestCase("fedora40")]
    public void DryRunReport_IsTheRealRunsReport_AndTheTreeChangesExactlyAsReported(string distro)
    {
        var tree = GuestTree(distro);
        var before = TreeOracle.Snapshot(tree, withChange: false);

        var dry = SealReportJson.Actions(Sealer("seal", "--dir", tree, "--dry-run", "--json").AssertExit(0).StdOut);
        var real = SealReportJson.Actions(Sealer("seal", "--dir", tree, "--json").AssertExit(0).StdOut);

        Assert.That(real, Is.EqualTo(dry));
        Assert.That(real, Is.Not.Empty);
        var touched = new List<string>();
        foreach (var action in real)
        {
            var host = Resolve(tree, action.Path);
            touched.Add(Path.GetRelativePath(tree, host));
            var info = new FileInfo(host);
            var exists = info.Exists || Directory.Exists(host) || info.LinkTarget is not null;
            switch (action.Kind)
            {
                case "deleted" or "deleted-tree":
                    Assert.That(exists, Is.False, $"{action.Path} was reported deleted");
                    break;
                case "truncated":
                    Assert.That(info.Length, Is.Zero, action.Path);
                    break;
                case "rewritten" or "created":
                    // A later action may still remove or rewrite it; the last one for a path decides.
                    if (real.Last(a => a.Path == action.Path) == action)
                    {
                        Assert.That(info.Length, Is.EqualTo(action.Size), action.Path);
                    }

                    break;
                case "symlink-created":
                    Assert.That(info.LinkTarget, Is.Not.Null, action.Path);
                    break;
                case "directory-created":
                    Assert.That(Directory.Exists(host), Is.True, action.Path);
                    break;
                default:
                    Assert.Fail($"unknown action kind {action.Kind}");
                    break;
            }
        }

        // Everything else (but the directories whose entries changed) is exactly as it was.
        var after = TreeOracle.Snapshot(tree, withChange: false).ToHashSet(StringComparer.Ordinal);
        var untouched = before.Where(line => !IsDirectoryLine(line) && !touched.Any(t => IsAtOrBelow(PathOf(line), t))).ToList();
        Assert.That(untouched, Is.Not.Empty);
        Assert.That(untouched.Where(line => !after.Contains(line)), Is.Empty, "changed although not in the report");
        Assert.That(Directory.GetFiles(tree, "*.sealer-*", SearchOption.AllDirectories), Is.Empty, "no temporary file is left");
        Assert.That(Sealer("check", "--dir", tree).ExitCode, Is.Zero);
    }

    [Test]
    public void FailedRun_WritesNothing()
    {
        var tree = GuestTree("debian12");
        // hostname (after bash-history, cloud-init...) refuses a 17 MB /etc/hosts: the run fails after other operations changed things.
        File.WriteAllBytes(Path.Combine(tree, "etc/hosts"), new byte[17 * 1024 * 1024]);
        var before = TreeOracle.Snapshot(tree);

        var result = Sealer("seal", "--dir", tree);

        Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
        Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), "a failed run must apply nothing");
        Assert.That(File.Exists(Path.Combine(tree, "root/.bash_history")), Is.True);
    }

    [TestCase("seal")]
    [TestCase("check")]
    [TestCase("inspect")]
    public void RunningHostsRoot_IsRefusedWithoutLiveHost(string verb)
    {
        foreach (var root in new[] { "/", "/proc/self/root", "/usr/.." })
        {
            var result = SealerOnReadOnlyHost(verb, "--dir", root, verb == "seal" ? "--dry-run" : "--json");
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.StdErr, Does.Contain("--live-host"));
        }
    }

    [Test]
    public void LiveHost_LetsInspectReadTheRunningHost()
    {
        var result = SealerOnReadOnlyHost("inspect", "--dir", "/", "--live-host");
        Assert.That(result.StdErr, Does.Not.Contain("--live-host"), result.ToString());
        Assert.That(result.StdOut, Does.Contain("source:"), result.ToString());
    }

    [Test]
    public void HostileTrees_NeverReachTheHost()
    {
        var (decoy, trees) = HostileTrees();
        var decoyBefore = TreeOracle.Snapshot(decoy, withChange: false);
        var results = new Dictionary<string, string>();
        foreach (var tree in trees)
        {
            var before = TreeOracle.Snapshot(tree);
            var decoyExactly = TreeOracle.Snapshot(decoy);
            Sealer("check", "--dir", tree);
            Sealer("inspect", "--dir", tree).AssertExit(0);
            Sealer("seal", "--dir", tree, "--dry-run").AssertExit(0);
            Assert.That(TreeOracle.Snapshot(tree), Is.EqualTo(before), $"{tree}: a read-only verb wrote");
            Assert.That(TreeOracle.Snapshot(decoy), Is.EqualTo(decoyExactly), $"{tree}: a read-only verb touched the host");
            results[Path.GetFileName(tree)] = string.Join('\n', Warnings(Sealer("seal", "--dir", tree, "--json").AssertExit(0).StdOut));

            // Hard links in the tree lose a link when the tree's name is replaced or removed: link count and ctime move.
            Assert.That(TreeOracle.Snapshot(decoy, withChange: false), Is.EqualTo(decoyBefore), $"sealing {tree} changed the host");
        }

        var hostile = Path.Combine(temp.Path, "hostile/hostile");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(decoy, "machine-id")), Is.EqualTo("0123456789abcdef0123456789abcdef\n"));
            Assert.That(new FileInfo(Path.Combine(hostile, "etc/machine-id")).Length, Is.Zero, "the tree's hard link was replaced by an empty file");
            Assert.That(File.ReadAllText(Path.Combine(decoy, "hosts")), Does.Contain("the-real-host"));
            Assert.That(File.ReadAllText(Path.Combine(decoy, "bash_history")), Does.Contain("cat /etc/shadow"));
            Assert.That(File.Exists(Path.Combine(hostile, "root/.bash_history")), Is.False, "deleting one link is fine");
            Assert.That(File.ReadAllText(Path.Combine(decoy, "secret")), Does.Contain("host secret"));
            Assert.That(results["hostile"], Does.Contain("/etc/systemd"), "the dangling /etc/systemd is named");
            Assert.That(results["fifo-machine-id"], Does.Contain("/etc/machine-id is a fifo"));
            Assert.That(results["fifo-machine-id"], Does.Contain("/etc/hostname is a fifo"));
            Assert.That(results["dangling-etc"], Does.Contain("cannot create /etc/machine-id"));
        });
        Assert.That(ExternalTool.Check("stat", "-c", "%F", Path.Combine(trees[1], "etc/machine-id")).Trim(), Is.EqualTo("fifo"));
    }

    [TestCase("bind")]
    [TestCase("tmpfs")]
    public void MountPointInsideTheTree_IsSkippedWithAWarning_UnlessCrossMounts(string kind)
    {
        var (decoy, trees) = HostileTrees();
        var tree = trees[0];
        var mountPoint = Path.Combine(tree, "var/log");
        var mounted = Mount(kind, Path.Combine(decoy, "log"), mountPoint);
        var mountedBefore = TreeOracle.Snapshot(mounted);
        var decoyBefore = TreeOracle.Snapshot(decoy, withChange: false);

        var crossing = Sealer("seal", "--dir", tree, "--dry-run", "--cross-mounts", "--json").AssertExit(0);
        Assert.That(SealReportJson.Actions(crossing.StdOut).Select(a => a.Path), Has.Some.StartsWith("/var/log/"), "--cross-mounts reaches into the mount");
        var result = Sealer("seal", "--dir", tree, "--json").AssertExit(0);

        Assert.That(Warnings(result.StdOut), Has.Some.StartsWith("skipped /var/log: a mount point"));
        Assert.That(SealReportJson.Actions(result.StdOut).Select(a => a.Path), Has.None.StartsWith("/var/log/"));
        Assert.That(TreeOracle.Snapshot(mounted), Is.EqualTo(mountedBefore), "the mounted file system was changed");
        Assert.That(TreeOracle.Snapshot(decoy, withChange: false), Is.EqualTo(decoyBefore));
        Assert.That(new FileInfo(Path.Combine(tree, "etc/machine-id")).Length, Is.Zero, "the rest of the tree is sealed");
    }

    [Test]
    public void FifoAtMachineIdInAnExt4Image_IsReportedTheSameWay()
    {
        ExternalTool.Require("mke2fs");
        var tree = GuestTree("debian12");
        File.Delete(Path.Combine(tree, "etc/machine-id"));
        ExternalTool.Check("mkfifo", Path.Combine(tree, "etc/machine-id"));
        var image = temp.File("fifo.raw");
        ExternalTool.Check("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, image, "64M");

        var result = Sealer("seal", "-a", image, "--json").AssertExit(0);

        Assert.That(Warnings(result.StdOut), Has.Some.StartsWith("/etc/machine-id is a fifo, not a regular file"));
        DiskOracle.E2fsckClean(image);
        Assert.That(DiskOracle.Debugfs(image, "stat /etc/machine-id"), Does.Contain("Type: FIFO"));
        Assert.That(DiskOracle.Exists(image, "/etc/ssh/ssh_host_ed25519_key"), Is.False, "the rest is sealed");
    }

    private string GuestTree(string distro)
    {
        var tree = temp.File(distro);
        ExternalTool.Require("ssh-keygen");
        ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-guest-tree.sh"), distro, tree);
        return tree;
    }

    private (string Decoy, string[] Trees) HostileTrees()
    {
        ExternalTool.Require("mkfifo");
        var output = temp.File("hostile");
        var paths = ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-hostile-trees.sh"), output).Trim().Split(' ');
        return (paths[0], paths[1..]);
    }

    private string Mount(string kind, string hostFolder, string mountPoint)
    {
        ExternalTool.Require("mount");
        Assume.That(Environment.UserName, Is.EqualTo("root"), "mounting needs root");
        var result = kind == "bind"
            ? ExternalTool.Run("mount", "--bind", hostFolder, mountPoint)
            : ExternalTool.Run("mount", "-t", "tmpfs", "-o", "size=1m", "sealer-test", mountPoint);
        Assume.That(result.ExitCode, Is.Zero, $"{kind} mount not possible here: {result}");
        mounts.Add(mountPoint);
        if (kind == "tmpfs")
        {
            File.WriteAllText(Path.Combine(mountPoint, "syslog"), "tmpfs log\n");
            Directory.CreateDirectory(Path.Combine(mountPoint, "journal"));
            File.WriteAllText(Path.Combine(mountPoint, "journal/system.journal"), "tmpfs journal\n");
        }

        return mountPoint;
    }

    /// <summary>Where a guest path lives in the tree: symlinks on the way are resolved inside the tree (as the
    /// guest would), never on the host; the last component is not followed.</summary>
    private static string Resolve(string tree, string guestPath)
    {
        var parts = new List<string>();
        var pending = new Stack<string>(guestPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        for (var hops = 0; pending.Count > 0;)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
            var host = Path.Combine(tree, string.Join('/', parts));
            if (pending.Count > 0 && new FileInfo(host).LinkTarget is { } target && hops++ < 40)
            {
                parts.RemoveAt(parts.Count - 1);
                if (target.StartsWith('/'))
                {
                    parts.Clear();
                }

                foreach (var p in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(p);
                }
            }
        }

        return Path.Combine(tree, string.Join('/', parts));
    }

    /// <summary>Every operation's warnings in a `seal --json` report.</summary>
    private static List<string> Warnings(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("operations").EnumerateArray()
            .SelectMany(op => op.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!))
            .ToList();
    }

    private static string PathOf(string snapshotLine) => snapshotLine[..snapshotLine.IndexOf('\t', StringComparison.Ordinal)];

    private static bool IsDirectoryLine(string snapshotLine) => snapshotLine.Split('\t') is [_, "d", ..];

    private static bool IsAtOrBelow(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>
    /// Runs sealer against the running host's own root only inside a private mount namespace where every mount is
    /// read-only (checked before sealer starts), so that even a regression of the --live-host refusal, or of the
    /// overlay, cannot change the machine running the tests. Skips when no such namespace can be made.
    /// </summary>
    private static ProcessResult SealerOnReadOnlyHost(params string[] args)
    {
        ExternalTool.Require("unshare");
        Assume.That(Environment.UserName, Is.EqualTo("root"), "a private read-only mount namespace needs root");
        const string Script =
            "mount --make-rprivate / || exit 98\n" +
            "awk '{print $5}' /proc/self/mountinfo | while read -r m; do mount -o remount,bind,ro \"$m\" 2>/dev/null; done\n" +
            "if touch /.sealer-ro-probe 2>/dev/null; then rm -f /.sealer-ro-probe; exit 99; fi\n" +
            "exec dotnet \"$@\"\n";
        var result = Run("unshare", ["-m", "sh", "-c", Script, "sh", Path.Combine(TestContext.CurrentContext.TestDirectory, "sealer.dll"), .. args]);
        Assume.That(result.ExitCode, Is.Not.EqualTo(98).And.Not.EqualTo(99), $"no read-only mount namespace here: {result}");
        return result;
    }

    /// <summary>Runs the real sealer as a user would, killed (and failed) if it hangs, e.g. on a fifo.</summary>
    private static ProcessResult Sealer(params string[] args) =>
        Run("dotnet", [Path.Combine(TestContext.CurrentContext.TestDirectory, "sealer.dll"), .. args]);

    private static ProcessResult Run(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"sealer {string.Join(' ', args)} did not finish in {Timeout} (blocked?)");
        }

        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    private sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
    {
        public ProcessResult AssertExit(int expected)
        {
            Assert.That(ExitCode, Is.EqualTo(expected), ToString());
            return this;
        }

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }
}
