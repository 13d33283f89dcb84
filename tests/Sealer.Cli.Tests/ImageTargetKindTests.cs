using System.Diagnostics;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// What `-a PATH` says when PATH is not a writable image file (issue 7 item 7, issue 8 item 7): FIFOs and character
/// devices are refused before they are opened (an open would block forever), a directory is named as one, and an
/// image on a read-only mount is called read-only, not "in use". Every run has a timeout so a hang fails the test.
/// </summary>
[TestFixture]
public sealed class ImageTargetKindTests
{
    private const int TimeoutMilliseconds = 30_000;

    [TestCase("seal")]
    [TestCase("inspect")]
    [TestCase("check")]
    public void Fifo_IsRefusedWithExitFour_WithoutBlocking(string verb)
    {
        using var temp = new TempDirectory();
        var fifo = temp.File("disk.img");
        ExternalTool.Check("mkfifo", fifo);

        var r = RunWithTimeout(verb, "-a", fifo);

        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo($"sealer: {fifo} is a FIFO, not an image: only regular files and block devices are opened"), r.ToString());
        Assert.That(File.Exists(fifo + ".sealer-redo"), Is.False);
    }

    [TestCase("seal")]
    [TestCase("inspect")]
    public void CharacterDevice_IsRefusedWithExitFour(string verb)
    {
        var r = RunWithTimeout(verb, "-a", "/dev/null");

        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo("sealer: /dev/null is a character device, not an image: only regular files and block devices are opened"), r.ToString());
    }

    [Test]
    public void SymlinkToAFifo_IsRefusedToo()
    {
        using var temp = new TempDirectory();
        var fifo = temp.File("pipe");
        ExternalTool.Check("mkfifo", fifo);
        var link = temp.File("disk.qcow2");
        File.CreateSymbolicLink(link, fifo);

        var r = RunWithTimeout("inspect", "-a", link);

        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        Assert.That(r.StdErr, Does.Contain("is a FIFO"), r.ToString());
    }

    [TestCase("seal")]
    [TestCase("inspect")]
    [TestCase("check")]
    public void Directory_SaysItIsADirectory_NotNotFound(string verb)
    {
        using var temp = new TempDirectory();
        var tree = temp.File("rootfs");
        Directory.CreateDirectory(Path.Combine(tree, "etc"));
        File.WriteAllText(Path.Combine(tree, "etc", "machine-id"), "0123456789abcdef0123456789abcdef\n");

        var r = RunWithTimeout(verb, "-a", tree);

        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo($"sealer: {tree} is a directory, not an image (use --dir for a guest tree)"), r.ToString());
        Assert.That(File.ReadAllText(Path.Combine(tree, "etc", "machine-id")), Is.EqualTo("0123456789abcdef0123456789abcdef\n"));
    }

    [Test]
    public void ImageOnAReadOnlyMount_SaysReadOnly_NotInUse()
    {
        Assume.That(Environment.UserName, Is.EqualTo("root"), "mounting a tmpfs needs root");
        using var temp = new TempDirectory();
        var mountPoint = temp.File("ro");
        Directory.CreateDirectory(mountPoint);
        var mount = ExternalTool.Run("mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", mountPoint);
        Assume.That(mount.ExitCode, Is.Zero, $"cannot mount a tmpfs here: {mount}");
        try
        {
            var image = TestImages.Copy("debian12-gpt.qcow2", temp);
            var onMount = Path.Combine(mountPoint, "disk.qcow2");
            File.Copy(image, onMount);
            ExternalTool.Check("mount", "-o", "remount,ro", mountPoint);
            var before = DiskOracle.Sha256(onMount);

            var r = RunWithTimeout("seal", "-a", onMount);

            Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
            Assert.That(r.StdErr.Trim(), Is.EqualTo($"sealer: {onMount} is on a read-only file system: cannot write it in place (use --output, or --dry-run)"), r.ToString());
            Assert.That(r.StdErr, Does.Not.Contain("in use"));
            Assert.That(DiskOracle.Sha256(onMount), Is.EqualTo(before));

            // Reading is fine on a read-only mount.
            var inspect = RunWithTimeout("inspect", "-a", onMount);
            Assert.That(inspect.ExitCode, Is.Zero, inspect.ToString());
        }
        finally
        {
            ExternalTool.Run("umount", mountPoint);
        }
    }

    /// <summary>Runs sealer and kills it after the timeout, so a blocking open fails the test instead of hanging it.</summary>
    private static SealerProcess.Result RunWithTimeout(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "sealer.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeoutMilliseconds))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.Fail($"sealer {string.Join(' ', args)} did not finish within {TimeoutMilliseconds / 1000} s (blocked?)");
        }

        return new SealerProcess.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
