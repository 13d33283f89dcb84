using System.Diagnostics;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.CrashWriter;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Transactions;

[TestFixture]
public sealed class InPlaceCommitTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("sealer-commit");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void Commit_WritesExactlyTheRecordedChanges_AndRemovesTheLog()
    {
        var image = NewImage();
        InPlaceCommit.Commit(image, CrashScenario.WriteChanges);

        Assert.That(File.ReadAllBytes(image), Is.EqualTo(ExpectedAfter()));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
        Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.None));
    }

    [Test]
    public void Commit_WhenWriteChangesThrows_LeavesTheImageAndNoLog()
    {
        var image = NewImage();
        Assert.That(
            () => InPlaceCommit.Commit(image, file =>
            {
                CrashScenario.WriteChanges(file);
                throw new InvalidImageException("test: failure after writing");
            }),
            Throws.InstanceOf<InvalidImageException>());

        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
    }

    [Test]
    public void Commit_WhileAnotherCommitHoldsTheImage_IsBusy()
    {
        var image = NewImage();
        InPlaceCommit.Commit(image, _ =>
            Assert.That(
                () => InPlaceCommit.Commit(image, CrashScenario.WriteChanges),
                Throws.InstanceOf<ImageBusyException>().With.Message.EqualTo($"image is in use: {Path.GetFullPath(image)}")));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
    }

    [Test]
    public void Commit_WhileQemuHasTheImageOpen_IsBusy()
    {
        ExternalTool.Require("qemu-io");
        var image = NewImage();
        var psi = new ProcessStartInfo("qemu-io", ["-f", "raw", image])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var qemu = Process.Start(psi)!;
        try
        {
            // qemu-io takes its OFD locks once it has opened the image; poll with no-change commits until then.
            var busy = false;
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!busy && DateTime.UtcNow < deadline && !qemu.HasExited)
            {
                try
                {
                    InPlaceCommit.Commit(image, _ => { });
                    Thread.Sleep(50);
                }
                catch (ImageBusyException e)
                {
                    busy = e.Message == $"image is in use: {Path.GetFullPath(image)}";
                }
            }

            Assert.That(busy, Is.True, "a commit must be refused while qemu-io holds the image");
        }
        finally
        {
            qemu.StandardInput.Close();
            if (!qemu.WaitForExit(5000))
            {
                qemu.Kill();
            }
        }

        InPlaceCommit.Commit(image, CrashScenario.WriteChanges);
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(ExpectedAfter()));
    }

    [Test]
    public void Commit_WithoutChanges_WritesNothing()
    {
        var image = NewImage();
        var stamp = File.GetLastWriteTimeUtc(image);
        var steps = new List<CommitStep>();
        InPlaceCommit.Commit(image, file => file.Write(10, new byte[0]), new CommitHooks { BeforeStep = steps.Add });

        Assert.That(steps, Is.Empty);
        Assert.That(File.GetLastWriteTimeUtc(image), Is.EqualTo(stamp));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
    }

    [Test]
    public void Commit_OfAWriteLargerThanOneRecord_SplitsItAndAppliesItAll()
    {
        var image = _dir.File("big.img");
        var original = new byte[4 << 20];
        new Random(3).NextBytes(original);
        File.WriteAllBytes(image, original);
        var data = new byte[(5 << 19) + 3];
        new Random(4).NextBytes(data);
        var steps = new List<CommitStep>();

        InPlaceCommit.Commit(image, file => file.Write(4097, data), new CommitHooks { BeforeStep = steps.Add });

        data.CopyTo(original, 4097);
        Assert.That(File.ReadAllBytes(image).AsSpan().SequenceEqual(original), Is.True);
        Assert.That(steps.Count(s => s == CommitStep.ImageWrite), Is.EqualTo(3), "2.5 MiB of pages in records of at most 1 MiB");
    }

    [Test]
    public void MissingImage_IsNotFound()
    {
        Assert.That(() => InPlaceCommit.Commit(_dir.File("absent.img"), _ => { }), Throws.InstanceOf<ImageNotFoundException>());
    }

    [Test]
    public void TornLog_AtEveryLength_IsDiscardedAndTheImageIsUntouched()
    {
        var log = CaptureLog(out var image);
        var before = CrashScenario.InitialImage();
        var cuts = Enumerable.Range(0, 40).Select(i => (int)((long)log.Length * i / 40))
            .Concat([1, 47, 48, 49, 63, 64, log.Length - 17, log.Length - 16, log.Length - 9, log.Length - 8, log.Length - 1])
            .Distinct();
        foreach (var length in cuts)
        {
            File.WriteAllBytes(image, before);
            File.WriteAllBytes(image + ".sealer-redo", log.AsSpan(0, length).ToArray());
            Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.Discarded), $"log cut at {length}");
            Assert.That(File.ReadAllBytes(image), Is.EqualTo(before));
            Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
        }
    }

    [Test]
    public void CorruptLog_IsDiscarded()
    {
        var log = CaptureLog(out var image);
        var random = new Random(11);
        for (var i = 0; i < 25; i++)
        {
            var damaged = (byte[])log.Clone();
            damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(image, CrashScenario.InitialImage());
            File.WriteAllBytes(image + ".sealer-redo", damaged);
            Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.Discarded));
            Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        }
    }

    [Test]
    public void CompleteLog_AppliedAgainAfterTheCommit_GivesTheSameImage()
    {
        var log = CaptureLog(out var image);
        var after = ExpectedAfter();
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(after));

        File.WriteAllBytes(image + ".sealer-redo", log);
        Assert.That(InPlaceCommit.RecoverIfNeeded(image), Is.EqualTo(RecoveryResult.Completed));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(after));

        Assert.That(File.Exists(image + ".sealer-redo"), Is.False);

        // Issue 8 item 4: writing the before bytes back is a write by someone else after the commit; the log no
        // longer proves it belongs to the image (mtime changed, none of its writes visible), so it is refused.
        File.WriteAllBytes(image, CrashScenario.InitialImage());
        File.WriteAllBytes(image + ".sealer-redo", log);
        Assert.That(() => InPlaceCommit.RecoverIfNeeded(image), Throws.InstanceOf<InvalidImageException>().With.Message.Contain("modified after the interrupted seal"));
        Assert.That(File.ReadAllBytes(image), Is.EqualTo(CrashScenario.InitialImage()));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.True);
    }

    /// <summary>The after-image computed without any transaction code: the scenario applied to a plain in-memory file.</summary>
    internal static byte[] ExpectedAfter()
    {
        var model = new MemoryHostFile(CrashScenario.InitialImage());
        CrashScenario.WriteChanges(model);
        return model.ToArray();
    }

    private string NewImage()
    {
        var image = _dir.File("disk.img");
        File.WriteAllBytes(image, CrashScenario.InitialImage());
        return image;
    }

    /// <summary>Commits the scenario and returns a copy of its redo log, taken just before the log is deleted.</summary>
    private byte[] CaptureLog(out string image)
    {
        image = NewImage();
        var logPath = image + ".sealer-redo";
        byte[]? log = null;
        InPlaceCommit.Commit(image, CrashScenario.WriteChanges, new CommitHooks
        {
            BeforeStep = step =>
            {
                if (step == CommitStep.LogDelete)
                {
                    log = File.ReadAllBytes(logPath);
                }
            },
        });
        Assert.That(log, Is.Not.Null);
        return log!;
    }
}
