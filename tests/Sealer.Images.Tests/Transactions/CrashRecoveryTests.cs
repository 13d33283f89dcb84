using System.Globalization;
using System.Security.Cryptography;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.CrashWriter;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Transactions;

/// <summary>
/// Kills a real process (SIGKILL) before every host write and fsync of a commit, then recovers, and checks the image is
/// exactly the before or the after bytes. SIGKILL keeps the page cache, so this proves the ordering and the recovery
/// logic, not the durability of the storage stack under power loss.
/// </summary>
[TestFixture]
public sealed class CrashRecoveryTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("sealer-crash");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void RawImage_KilledAtEveryStep_RecoversToExactlyBeforeOrAfter()
    {
        var image = _dir.File("disk.img");
        var outcomes = KillAtEveryStep(image, CrashScenario.InitialImage(), InPlaceCommitTests.ExpectedAfter(), "raw", check: null);

        Assert.That(outcomes, Has.Some.EndsWith("Discarded -> before"));
        Assert.That(outcomes, Has.Some.Contains("ImageWrite: Completed -> after"));
        Assert.That(outcomes, Has.Some.Contains("ImageTruncate: Completed -> after"));
    }

    [Test]
    [Category("Oracle")]
    public void Qcow2Image_KilledAtEveryStep_RecoversToExactlyBeforeOrAfter_AndPassesQemuImgCheck()
    {
        ExternalTool.Require("qemu-img");
        var image = _dir.File("disk.qcow2");
        ExternalTool.Check("qemu-img", "create", "-q", "-f", "qcow2", image, "16M");
        var initial = File.ReadAllBytes(image);

        // The after bytes come from one uninterrupted run; their guest content is checked against a plain model.
        Assert.That(Writer(image, -1, "qcow2").StdOut, Does.Contain("done"));
        var after = File.ReadAllBytes(image);
        var model = new MemoryBlockDevice(16 << 20);
        CrashScenario.WriteGuest(model);
        var converted = _dir.File("after.raw");
        ExternalTool.Check("qemu-img", "convert", "-f", "qcow2", "-O", "raw", image, converted);
        Assert.That(File.ReadAllBytes(converted).AsSpan().SequenceEqual(model.Data), Is.True, "guest content after the commit");

        var outcomes = KillAtEveryStep(image, initial, after, "qcow2", check: () =>
        {
            var check = ExternalTool.Run("qemu-img", "check", "-f", "qcow2", image);
            Assert.That(check.ExitCode, Is.Zero, $"qemu-img check: {check}");
        });
        Assert.That(outcomes, Has.Some.EndsWith("Discarded -> before"));
        Assert.That(outcomes, Has.Some.Contains("ImageWrite: Completed -> after"));
    }

    private List<string> KillAtEveryStep(string image, byte[] initial, byte[] expectedAfter, string format, Action? check)
    {
        var before = Hash(initial);
        var after = Hash(expectedAfter);
        Assert.That(after, Is.Not.EqualTo(before));
        var outcomes = new List<string>();
        for (var killAt = 0; ; killAt++)
        {
            Assert.That(killAt, Is.LessThan(200), "the commit never completed");
            File.WriteAllBytes(image, initial);
            var run = Writer(image, killAt, format);
            var steps = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (steps.Contains("done"))
            {
                Assert.That(run.ExitCode, Is.Zero, run.ToString());
                Assert.That(Hash(File.ReadAllBytes(image)), Is.EqualTo(after));
                Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
                break;
            }

            Assert.That(run.ExitCode, Is.Not.Zero, $"step {killAt} should have been killed: {run}");
            Assert.That(steps, Is.Not.Empty, run.ToString());
            Assert.That(steps[^1], Does.StartWith($"step {killAt} "), run.ToString());
            var logFlushed = steps.SkipLast(1).Any(s => s.EndsWith(" LogFlush", StringComparison.Ordinal));

            var result = InPlaceCommit.RecoverIfNeeded(image);
            var hash = Hash(File.ReadAllBytes(image));
            Assert.That(hash, Is.EqualTo(before).Or.EqualTo(after), $"killed before {steps[^1]}, recovery {result}");
            if (logFlushed)
            {
                Assert.That(hash, Is.EqualTo(after), $"killed before {steps[^1]} (log already durable), recovery {result}");
            }

            Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
            check?.Invoke();
            outcomes.Add($"{steps[^1]}: {result} -> {(hash == before ? "before" : "after")}");
        }

        TestContext.Out.WriteLine(string.Join('\n', outcomes));
        return outcomes;
    }

    private static ExternalTool.Result Writer(string image, int killAt, string format)
    {
        var writer = Path.Combine(TestContext.CurrentContext.TestDirectory, "Sealer.CrashWriter.dll");
        Assert.That(File.Exists(writer), Is.True, $"crash writer not built at {writer}");
        return ExternalTool.Run("dotnet", [writer, image, killAt.ToString(CultureInfo.InvariantCulture), format]);
    }

    private static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
