using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Issue 8 items 2, 3, 5 and 7 end to end: the debian12 test disk with its root file system damaged by debugfs.
/// `seal` refuses with exit 3 and one short line, in seconds, and the image is byte-identical afterwards.
/// </summary>
[TestFixture]
public sealed class HostileExt4Tests
{
    private const long RootOffset = 1024 * 1024;
    private const int RootSize = 40 * 1024 * 1024;

    /// <summary>Applies debugfs -w commands to the root file system (partition 1) of a disk image.</summary>
    private static void DamageRoot(TempDirectory temp, string image, params string[] commands)
    {
        ExternalTool.Require("debugfs");
        var part = temp.File("root-" + Guid.NewGuid().ToString("N") + ".ext4");
        var bytes = new byte[RootSize];
        using (var f = File.OpenRead(image))
        {
            f.Position = RootOffset;
            f.ReadExactly(bytes);
        }

        File.WriteAllBytes(part, bytes);
        foreach (var command in commands)
        {
            var r = ExternalTool.Run("debugfs", "-w", "-R", command, part);
            Assert.That(r.ExitCode, Is.Zero, r.ToString());
            Assert.That(r.StdErr, Does.Not.Contain("nvalid").And.Not.Contain("not found"), $"{command}: {r}");
        }

        using (var f = File.OpenWrite(image))
        {
            f.Position = RootOffset;
            f.Write(File.ReadAllBytes(part));
        }

        File.Delete(part);
    }

    private static string DebugfsRoot(TempDirectory temp, string image, string command)
    {
        var part = temp.File("peek-" + Guid.NewGuid().ToString("N") + ".ext4");
        var bytes = new byte[RootSize];
        using (var f = File.OpenRead(image))
        {
            f.Position = RootOffset;
            f.ReadExactly(bytes);
        }

        File.WriteAllBytes(part, bytes);
        var r = ExternalTool.Run("debugfs", "-R", command, part);
        File.Delete(part);
        return r.StdOut;
    }

    private static SealerProcess.Result SealInPlaceRefused(string image, string mentions)
    {
        var before = DiskOracle.Sha256(image);
        var run = Task.Run(() => SealerProcess.Run("seal", "-a", image));
        Assert.That(run.Wait(TimeSpan.FromSeconds(90)), Is.True, "seal finishes within 90 s");
        var r = run.Result;
        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        var lines = r.StdErr.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(lines[0], Has.Length.LessThan(300).And.Contain(mentions), r.ToString());
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before), "a refused seal writes nothing");
        return r;
    }

    [Test]
    public void HardLinkLoopToTheRoot_IsRefusedInSeconds()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);
        DamageRoot(temp, image, "link / tmp/rootlink");
        SealInPlaceRefused(image, "directory loop");
    }

    [Test]
    public void MachineIdExtentOnTheSuperblock_IsRefused()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);

        // i_block[5] is the first extent's start: block 0 holds the superblock of this 4 KiB-block file system.
        DamageRoot(temp, image, "sif /etc/machine-id block[5] 0");
        SealInPlaceRefused(image, "superblock");
    }

    [Test]
    public void MachineIdCrossLinkedWithPasswd_IsRefused()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);
        var passwd = long.Parse(DebugfsRoot(temp, image, "bmap /etc/passwd 0").Trim());
        DamageRoot(temp, image, $"sif /etc/machine-id block[5] {passwd}");
        SealInPlaceRefused(image, "cross-linked");
    }

    [Test]
    public void CorruptInodeOfASymlinkTarget_IsExit3NotExit1()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);

        // The inode now says "symlink" while i_block still holds an extent header: a target with NUL bytes.
        DamageRoot(temp, image, "sif /etc/hostname mode 0120777");
        SealInPlaceRefused(image, "NUL");
    }
}
