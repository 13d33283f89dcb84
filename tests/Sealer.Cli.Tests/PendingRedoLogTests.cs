using NUnit.Framework;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Issue 8 item 4 at the command line: `inspect`, `check`, `seal --dry-run` and `seal --output` never write, so they
/// leave a redo log of an interrupted seal alone, and they refuse to read an image it may have half written (exit 4,
/// one line saying which command completes it). Only `seal -a IMAGE` (in place) completes it. A log that does not
/// belong to the image is refused by every verb (exit 3) and left in place.
/// </summary>
[TestFixture]
public sealed class PendingRedoLogTests
{
    private const long GapOffset = 512 << 10; // between the GPT and partition 1: no file system lives there

    [TestCase("inspect")]
    [TestCase("check")]
    [TestCase("seal", "--dry-run")]
    [TestCase("seal", "--output", "OUT")]
    public void ReadOnlyRuns_ReportAPendingLog_AndWriteNothing(params string[] verb)
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);
        var log = LeavePendingLog(image);
        var imageBefore = DiskOracle.Sha256(image);
        var logBefore = DiskOracle.Sha256(log);
        var output = temp.File("out.qcow2");

        var r = SealerProcess.Run([.. verb.Select(v => v == "OUT" ? output : v), "-a", image]);

        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        Assert.That(r.StdErr.Trim(), Is.EqualTo($"sealer: {image} has a pending redo log from an interrupted seal ({log}): run `sealer seal -a {image}` to complete it; nothing was read or written"), r.ToString());
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(imageBefore));
        Assert.That(DiskOracle.Sha256(log), Is.EqualTo(logBefore));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void SealInPlace_CompletesThePendingLog_ThenSeals()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);
        var log = LeavePendingLog(image);

        SealerProcess.RunOk("seal", "-a", image);

        Assert.That(File.Exists(log), Is.False);
        using (var f = File.OpenRead(image))
        {
            var gap = new byte[4096];
            f.Position = GapOffset;
            f.ReadExactly(gap);
            Assert.That(gap, Is.All.EqualTo(0xAB), "the interrupted commit's write was completed");
        }

        SealerProcess.RunOk("check", "-a", image);
    }

    [TestCase("inspect")]
    [TestCase("seal")]
    public void PlantedLog_IsRefusedWithExitThree_AndLeftInPlace(string verb)
    {
        using var temp = new TempDirectory();
        var other = TestImages.Copy("debian12-gpt.raw", temp);
        var planted = LeavePendingLog(other);
        var image = temp.File("disk.raw");
        File.Copy(other + ".sealer-redo", image + ".sealer-redo");
        File.Delete(planted);
        File.Copy(other, image);
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run(verb, "-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.StdErr, Does.Contain($"redo log {image}.sealer-redo does not match {image}: it was written for another file"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.True);
    }

    /// <summary>An in-place commit stopped after its log is durable and before the image is touched, as a kill would leave it.</summary>
    private static string LeavePendingLog(string image)
    {
        Assert.Throws<OperationCanceledException>(() => InPlaceCommit.Commit(
            image,
            file => file.Write(GapOffset, Enumerable.Repeat((byte)0xAB, 4096).ToArray()),
            new CommitHooks { BeforeStep = step => { if (step == CommitStep.ImageWrite) { throw new OperationCanceledException(); } } }));
        var log = image + ".sealer-redo";
        Assert.That(File.Exists(log), Is.True);
        return log;
    }
}
