using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>Exit codes, one-line errors, no writes on bad input, listing formats, inspect facts.</summary>
[TestFixture]
public sealed class CliBehaviourTests
{
    [Test]
    public void MissingImage_ExitsFour_WithOneLine()
    {
        var r = SealerProcess.Run("seal", "-a", "/nonexistent/disk.qcow2");
        Assert.That(r.ExitCode, Is.EqualTo(4), r.ToString());
        AssertOneLineError(r);
    }

    [Test]
    public void GarbageImage_ExitsThree_AndIsNotWritten()
    {
        using var temp = new TempDirectory();
        var path = temp.File("garbage.img");
        var bytes = new byte[4 * 1024 * 1024];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var before = DiskOracle.Sha256(path);

        var r = SealerProcess.Run("seal", "-a", path);

        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        AssertOneLineError(r);
        Assert.That(DiskOracle.Sha256(path), Is.EqualTo(before));
        Assert.That(File.Exists(path + ".sealer-redo"), Is.False);
    }

    [Test]
    public void CorruptQcow2Header_ExitsThree_NamingTheStructure()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.qcow2", temp);
        using (var f = File.OpenWrite(image))
        {
            f.Position = 20; // cluster_bits (BE32 at 0x14)
            f.Write([0, 0, 0, 40]);
        }

        var before = DiskOracle.Sha256(image);
        var r = SealerProcess.Run("seal", "-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        AssertOneLineError(r);
        Assert.That(r.StdErr, Does.Contain("qcow2"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void ExplicitRawFormat_IsNotOverriddenByAQcow2Header()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.qcow2", temp);

        var r = SealerProcess.Run("inspect", "-a", image, "--format", "raw");

        Assert.That(r.ExitCode, Is.Not.Zero, "read as raw, a qcow2 file holds no guest");
        Assert.That(r.StdOut + r.StdErr, Does.Not.Contain("Debian"));
    }

    [Test]
    public void OutputOntoTheInput_IsRefused_EvenWithForce()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.qcow2", temp);
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run("seal", "-a", image, "--output", image, "--force");

        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void ExistingOutput_IsKept_UnlessForced()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.qcow2", temp);
        var output = temp.File("out.qcow2");
        File.WriteAllText(output, "keep me");

        Assert.That(SealerProcess.Run("seal", "-a", image, "--output", output).ExitCode, Is.EqualTo(4));
        Assert.That(File.ReadAllText(output), Is.EqualTo("keep me"));
        SealerProcess.RunOk("seal", "-a", image, "--output", output, "--force");
        DiskOracle.QemuImgCheck(output);
    }

    [Test]
    public void UnknownOperation_IsAUsageError()
    {
        using var temp = new TempDirectory();
        var r = SealerProcess.Run("seal", "-a", temp.File("x.img"), "--operations", "defaults,no-such-op");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.StdErr, Does.Contain("no-such-op"));
    }

    [Test]
    public void ListOperations_UsesVirtSysprepLineFormat()
    {
        var r = SealerProcess.RunOk("seal", "--list-operations");
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.GreaterThan(30));
        Assert.That(lines, Has.All.Match(@"^[a-z0-9]+(-[a-z0-9]+)* [* ] \S.*$"));
        Assert.That(lines, Has.Some.StartsWith("machine-id * "));
        Assert.That(lines, Has.Some.StartsWith("user-account   "));
        var json = SealerProcess.RunOk("seal", "--list-operations", "--json");
        Assert.That(json.StdOut.TrimStart(), Does.StartWith("["));
    }

    [Test]
    public void Inspect_ReportsTheSameHostKeyFingerprintsAsSshKeygen()
    {
        ExternalTool.Require("ssh-keygen");
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.qcow2", temp);
        var root = DiskOracle.ExtractFileSystems(DiskOracle.ToRaw(image, temp), temp)[0];
        var pub = temp.File("ed25519.pub");
        File.WriteAllText(pub, DiskOracle.Cat(root, "/etc/ssh/ssh_host_ed25519_key.pub"));
        var expected = ExternalTool.Check("ssh-keygen", "-lf", pub).Split(' ')[1];

        var r = SealerProcess.RunOk("inspect", "-a", image);

        Assert.That(r.StdOut, Does.Contain(expected));
        Assert.That(r.StdOut, Does.Contain("/var <- /dev/sda2"));
        Assert.That(r.StdOut, Does.Contain("debian"));
    }

    private static void AssertOneLineError(SealerProcess.Result r)
    {
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(lines[0], Does.StartWith("sealer: "));
        Assert.That(r.StdErr, Does.Not.Contain("   at "), "no stack trace without --verbose");
    }
}
