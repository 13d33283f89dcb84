using System.Globalization;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Transactions;

/// <summary>
/// Issue 8 item 4, with real kills: SIGKILL the commit before each of its steps, then let something else write the
/// image (an append or a write in the middle for raw, qemu-io for qcow2) before Sealer opens it again. Whatever the
/// recovery does (complete, discard, or refuse), the data written after the kill must still be there.
/// </summary>
[TestFixture]
public sealed class CrashThenForeignWriteTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("sealer-crash-foreign");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [TestCase("append")]
    [TestCase("overwrite")]
    public void RawImage_KilledAtEveryStep_ThenWrittenByAnother_NeverLosesTheNewData(string how)
    {
        var image = _dir.File("disk.img");
        var foreign = new byte[4096];
        new Random(77).NextBytes(foreign);
        var outcomes = new List<string>();
        for (var killAt = 0; ; killAt++)
        {
            Assert.That(killAt, Is.LessThan(200), "the commit never completed");
            File.WriteAllBytes(image, Sealer.CrashWriter.CrashScenario.InitialImage());
            var run = Writer(image, killAt, "raw");
            if (run.StdOut.Split('\n').Contains("done"))
            {
                break;
            }

            var hadLog = File.Exists(image + ".sealer-redo");
            Thread.Sleep(20);
            long at;
            using (var f = new FileStream(image, FileMode.Open, FileAccess.Write))
            {
                at = how == "append" ? f.Length : 65536;
                f.Position = at;
                f.Write(foreign);
            }

            var result = Recover(image);
            var bytes = File.ReadAllBytes(image);
            Assert.That(bytes.Length, Is.GreaterThanOrEqualTo(at + foreign.Length), $"kill at {killAt}: {result}");
            Assert.That(bytes.AsSpan((int)at, foreign.Length).SequenceEqual(foreign), Is.True, $"kill at {killAt}: new data lost ({result})");
            outcomes.Add($"{killAt} log={hadLog}: {result}");
        }

        TestContext.Out.WriteLine(string.Join('\n', outcomes));
        Assert.That(outcomes, Has.Some.Contains("refused"), "some kills leave a durable log that must be refused");
    }

    [Test]
    [Category("Oracle")]
    public void Qcow2Image_KilledAtEveryStep_ThenWrittenByQemu_NeverLosesTheNewData()
    {
        ExternalTool.Require("qemu-img");
        ExternalTool.Require("qemu-io");
        var image = _dir.File("disk.qcow2");
        ExternalTool.Check("qemu-img", "create", "-q", "-f", "qcow2", image, "16M");
        var initial = File.ReadAllBytes(image);
        var outcomes = new List<string>();
        for (var killAt = 0; ; killAt++)
        {
            Assert.That(killAt, Is.LessThan(200), "the commit never completed");
            File.WriteAllBytes(image, initial);
            var run = Writer(image, killAt, "qcow2");
            if (run.StdOut.Split('\n').Contains("done"))
            {
                break;
            }

            // A VM boots the image and writes a pattern at 8 MiB, where the seal wrote nothing.
            var write = ExternalTool.Run("qemu-io", "-f", "qcow2", "-c", "write -P 0xee 8M 64k", image);
            if (write.ExitCode != 0)
            {
                outcomes.Add($"{killAt}: qemu-io could not write ({write.StdErr.Trim()})");
                continue;
            }

            var result = Recover(image);
            var read = ExternalTool.Run("qemu-io", "-f", "qcow2", "-c", "read -P 0xee 8M 64k", image);
            Assert.That(read.ExitCode, Is.Zero, $"kill at {killAt}: {result}: {read}");
            Assert.That(read.StdOut, Does.Not.Contain("Pattern verification failed"), $"kill at {killAt}: new data lost ({result})");
            outcomes.Add($"{killAt}: {result}");
        }

        TestContext.Out.WriteLine(string.Join('\n', outcomes));
        Assert.That(outcomes, Has.Some.Contains("refused"));
    }

    private static string Recover(string image)
    {
        try
        {
            return InPlaceCommit.RecoverIfNeeded(image).ToString();
        }
        catch (InvalidImageException e)
        {
            Assert.That(File.Exists(image + ".sealer-redo"), Is.True, "a refused log stays in place");
            Assert.That(e.Message, Does.Contain("does not match"));
            File.Delete(image + ".sealer-redo");
            return "refused: " + e.Message;
        }
    }

    private static ExternalTool.Result Writer(string image, int killAt, string format)
    {
        var writer = Path.Combine(TestContext.CurrentContext.TestDirectory, "Sealer.CrashWriter.dll");
        Assert.That(File.Exists(writer), Is.True, $"crash writer not built at {writer}");
        return ExternalTool.Run("dotnet", [writer, image, killAt.ToString(CultureInfo.InvariantCulture), format]);
    }
}
