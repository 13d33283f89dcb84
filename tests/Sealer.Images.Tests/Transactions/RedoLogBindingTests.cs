using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.CrashWriter;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Transactions;

/// <summary>
/// Issue 8 item 4: a redo log is applied only when it proves it belongs to the image as it is now. A stale log (the
/// image was written after the interrupted seal) or a planted one (valid CRC, written for another file) is refused by
/// name and left in place, and the image is not touched. Inspecting never writes.
/// </summary>
[TestFixture]
public sealed class RedoLogBindingTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("sealer-redo-binding");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void PlantedLog_WithAValidCrc_WrittenForAnotherFile_IsRefused()
    {
        // A complete, valid log taken from a commit of another image, placed beside this one.
        var log = StopBeforeApplying(NewImage("other.img"));
        var image = NewImage("disk.img");
        File.Copy(log, image + ".sealer-redo");

        var e = Assert.Throws<InvalidImageException>(() => InPlaceCommit.RecoverIfNeeded(image))!;

        Assert.That(e.Message, Does.StartWith($"redo log {image}.sealer-redo does not match {image}: it was written for another file"));
        Assert.That(e.Message, Does.Contain("left in place"));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.True);
    }

    [Test]
    public void StaleLog_ImageWrittenAfterTheKill_OutsideTheLoggedRegions_IsRefused()
    {
        var image = NewImage("disk.img");
        StopBeforeApplying(image);
        var newData = ForeignWrite(image, 65536, 4096);

        var e = Assert.Throws<InvalidImageException>(() => InPlaceCommit.RecoverIfNeeded(image))!;

        Assert.That(e.Message, Does.Contain("modified after the interrupted seal"));
        AssertHolds(image, 65536, newData);
        Assert.That(File.Exists(image + ".sealer-redo"), Is.True);
    }

    [Test]
    public void StaleLog_ImageWrittenAfterTheKill_InsideALoggedRegion_IsRefusedByOffset()
    {
        var image = NewImage("disk.img");
        StopBeforeApplying(image);
        var newData = ForeignWrite(image, 40_960, 4096);

        var e = Assert.Throws<InvalidImageException>(() => InPlaceCommit.RecoverIfNeeded(image))!;

        Assert.That(e.Message, Does.Match("region at offset \\d+ \\(\\d+ bytes\\) holds neither its before-image nor its after-image"));
        AssertHolds(image, 40_960, newData);
    }

    [Test]
    public void StaleLog_ImageAppendedToAfterTheKill_IsRefused()
    {
        var image = NewImage("disk.img");
        StopBeforeApplying(image);
        var before = File.ReadAllBytes(image);
        using (var f = new FileStream(image, FileMode.Append))
        {
            f.Write(new byte[4 << 20]);
        }

        var e = Assert.Throws<InvalidImageException>(() => InPlaceCommit.RecoverIfNeeded(image))!;

        Assert.That(e.Message, Does.Contain("neither its length before the seal"));
        Assert.That(File.ReadAllBytes(image).AsSpan(0, before.Length).SequenceEqual(before), Is.True);
        Assert.That(new FileInfo(image).Length, Is.EqualTo(before.Length + (4 << 20)));
    }

    [Test]
    public void HalfAppliedLog_ThenAWriteOutsideItsRegions_IsCompleted_AndKeepsTheNewData()
    {
        var image = NewImage("disk.img");
        StopAt(image, CommitStep.ImageWrite, occurrence: 2);
        var newData = ForeignWrite(image, 65536, 4096);

        Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.Completed));

        var expected = InPlaceCommitTests.ExpectedAfter();
        newData.CopyTo(expected, 65536);
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(expected));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
    }

    [Test]
    public void LogOfAnOlderVersion_IsRefusedByName()
    {
        var image = NewImage("disk.img");
        var log = StopBeforeApplying(image);
        var bytes = File.ReadAllBytes(log);
        bytes[8] = 1;
        File.WriteAllBytes(log, bytes);

        var e = Assert.Throws<InvalidImageException>(() => InPlaceCommit.RecoverIfNeeded(image))!;

        Assert.That(e.Message, Does.Contain("older Sealer (log version 1"));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        Assert.That(File.Exists(log), Is.True);
    }

    [Test]
    public void Inspect_ReportsEachState_AndNeverWrites()
    {
        var image = NewImage("disk.img");
        Assert.That(InPlaceCommit.Inspect(image).State, Is.EqualTo(PendingRedoLogState.None));

        var log = StopBeforeApplying(image);
        var logBytes = File.ReadAllBytes(log);
        var mtime = File.GetLastWriteTimeUtc(image);
        Assert.That(InPlaceCommit.Inspect(image).State, Is.EqualTo(PendingRedoLogState.Pending));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        Assert.That(File.GetLastWriteTimeUtc(image), Is.EqualTo(mtime));
        Assert.That(File.ReadAllBytes(log), Is.EqualTo(logBytes));

        File.WriteAllBytes(log, logBytes.AsSpan(0, logBytes.Length - 1).ToArray());
        Assert.That(InPlaceCommit.Inspect(image).State, Is.EqualTo(PendingRedoLogState.Torn));
        Assert.That(File.Exists(log), Is.True, "inspecting a torn log does not remove it");

        File.WriteAllBytes(log, logBytes);
        ForeignWrite(image, 65536, 4096);
        var mismatch = InPlaceCommit.Inspect(image);
        Assert.That(mismatch.State, Is.EqualTo(PendingRedoLogState.Mismatch));
        Assert.That(mismatch.Problem, Does.Contain("does not match"));
        Assert.That(File.Exists(log), Is.True);
    }

    [Test]
    public void PlantedFifoAsTheLog_IsRefused_WithoutBlocking()
    {
        var image = NewImage("disk.img");
        ExternalTool.Check("mkfifo", image + ".sealer-redo");

        foreach (var attempt in new Func<object>[] { () => InPlaceCommit.RecoverIfNeeded(image), () => InPlaceCommit.Inspect(image) })
        {
            var run = Task.Run(() =>
            {
                try
                {
                    return attempt() is PendingRedoLog p ? p.Problem ?? p.State.ToString() : "applied";
                }
                catch (InvalidImageException e)
                {
                    return e.Message;
                }
            });
            if (!run.Wait(TimeSpan.FromSeconds(20)))
            {
                // Unblock the reader so the test host can exit, then fail.
                using (new FileStream(image + ".sealer-redo", FileMode.Open, FileAccess.Write))
                {
                }

                Assert.Fail("reading a FIFO planted as the redo log blocked");
            }

            Assert.That(run.Result, Does.Contain("does not match").And.Contain("not a regular file (Fifo)"));
        }

        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
    }

    [Test]
    public void UntouchedImage_WithItsOwnLog_IsStillReplayed()
    {
        // The control: a log that does belong to the image (killed after the log was durable) is completed.
        var image = NewImage("disk.img");
        StopBeforeApplying(image);

        Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.Completed));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(InPlaceCommitTests.ExpectedAfter()));
    }

    private string NewImage(string name)
    {
        var image = _dir.File(name);
        File.WriteAllBytes(image, CrashScenario.InitialImage());
        return image;
    }

    /// <summary>Runs the commit until its log is durable and stops before the image is touched, as a kill would.</summary>
    private static string StopBeforeApplying(string image)
    {
        StopAt(image, CommitStep.ImageTruncate, occurrence: 1);
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        return image + ".sealer-redo";
    }

    private static void StopAt(string image, CommitStep stop, int occurrence)
    {
        var seen = 0;
        Assert.Throws<StopException>(() => InPlaceCommit.Commit(image, CrashScenario.WriteChanges, new CommitHooks
        {
            BeforeStep = step =>
            {
                if (step == stop && ++seen == occurrence)
                {
                    throw new StopException();
                }
            },
        }));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.True);
    }

    private static byte[] ForeignWrite(string image, long offset, int length)
    {
        var data = new byte[length];
        new Random((int)offset).NextBytes(data);

        // A later writer (a booted VM) changes the file: mtime moves on, even within one clock tick.
        Thread.Sleep(20);
        using var f = new FileStream(image, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(data);
        return data;
    }

    private static void AssertHolds(string image, long offset, byte[] data) =>
        Assert.That(File.ReadAllBytes(image).AsSpan((int)offset, data.Length).SequenceEqual(data), Is.True, $"new data at {offset} lost");

    private sealed class StopException : Exception;
}
