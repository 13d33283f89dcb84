using System.Text.Json;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

/// <summary>testimages/make-test-images.sh builds what its README promises, checked with sfdisk, e2fsck,
/// dumpe2fs, debugfs and qemu-img (e2fsprogs' "file?offset=N" reaches a partition without extracting it).</summary>
[TestFixture]
[Category("Oracle")]
public sealed class TestImageScriptsTests
{
    private TempDirectory temp = null!;
    private string images = null!;

    [OneTimeSetUp]
    public void BuildImages()
    {
        foreach (var tool in new[] { "mke2fs", "sfdisk", "qemu-img", "ssh-keygen", "e2fsck", "dumpe2fs", "debugfs" })
        {
            ExternalTool.Require(tool);
        }

        temp = new TempDirectory("sealer-testimages");
        images = temp.File("out");
        var script = Path.Combine(HostTree.RepoRoot(), "testimages", "make-test-images.sh");
        var result = ExternalTool.Run("bash", script, images);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StdOut, Does.Contain("debian12-gpt.qcow2"));
    }

    [OneTimeTearDown]
    public void Remove() => temp.Dispose();

    private string Image(string name) => Path.Combine(images, name);

    private static string At(string image, long startSector) => $"{image}?offset={startSector * 512}";

    private static void AssertExt4(string device, string uuid, string label)
    {
        var check = ExternalTool.Run("e2fsck", "-fn", device);
        Assert.That(check.ExitCode, Is.Zero, check.ToString());
        var header = ExternalTool.Check("dumpe2fs", "-h", device);
        Assert.That(header, Does.Contain($"Filesystem UUID:          {uuid}"));
        Assert.That(header, Does.Match($"Filesystem volume name:\\s+{label}\\n"));
    }

    private static long[] PartitionStarts(string image, string expectedLabel)
    {
        using var json = JsonDocument.Parse(ExternalTool.Check("sfdisk", "-J", image));
        var table = json.RootElement.GetProperty("partitiontable");
        Assert.That(table.GetProperty("label").GetString(), Is.EqualTo(expectedLabel));
        return table.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("start").GetInt64()).ToArray();
    }

    [Test]
    public void Debian12Gpt_HasRootAndVar_MatchingItsFstab()
    {
        var disk = Image("debian12-gpt.raw");
        var starts = PartitionStarts(disk, "gpt");
        Assert.That(starts, Is.EqualTo(new long[] { 2048, 83968 }));
        AssertExt4(At(disk, starts[0]), "d1e2b3a4-0000-4000-8000-0000000000a1", "root");
        AssertExt4(At(disk, starts[1]), "d1e2b3a4-0000-4000-8000-0000000000a2", "var");
        var fstab = ExternalTool.Check("debugfs", "-R", "cat /etc/fstab", At(disk, starts[0]));
        Assert.That(fstab, Does.Contain("UUID=d1e2b3a4-0000-4000-8000-0000000000a2\t/var\text4"));
        Assert.That(ExternalTool.Check("debugfs", "-R", "ls -p /log", At(disk, starts[1])), Does.Contain("syslog"));
        Assert.That(ExternalTool.Check("debugfs", "-R", "ls -p /var", At(disk, starts[0])), Does.Not.Contain("log"), "the root's /var is an empty mount point");
        Assert.That(ExternalTool.Run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", disk, Image("debian12-gpt.qcow2")).ExitCode, Is.Zero);
        Assert.That(ExternalTool.Run("qemu-img", "check", Image("debian12-gpt.qcow2")).ExitCode, Is.Zero);
    }

    [Test]
    public void Fedora40Mbr_HasHomeByLabel()
    {
        var disk = Image("fedora40-mbr.raw");
        var starts = PartitionStarts(disk, "dos");
        AssertExt4(At(disk, starts[0]), "fe0d0a40-0000-4000-8000-0000000000b1", "fedora_root");
        AssertExt4(At(disk, starts[1]), "fe0d0a40-0000-4000-8000-0000000000b2", "home");
        Assert.That(ExternalTool.Check("debugfs", "-R", "cat /etc/fstab", At(disk, starts[0])), Does.Contain("LABEL=home\t/home"));
        Assert.That(ExternalTool.Check("debugfs", "-R", "ls -p /", At(disk, starts[1])), Does.Contain("/fedora/"));
    }

    [Test]
    public void Ubuntu2404_IsAWholeDiskExt4()
    {
        var disk = Image("ubuntu2404-whole.raw");
        Assert.That(new FileInfo(disk).Length, Is.EqualTo(64L * 1024 * 1024));
        AssertExt4(disk, "0b0e7e24-0000-4000-8000-0000000000c1", "cloudimg-rootfs");
        Assert.That(ExternalTool.Check("debugfs", "-R", "cat /etc/hostname", disk).Trim(), Is.EqualTo("ubuntu2404-vm01"));
    }

    [Test]
    public void BundledDemo_IsSmallValidQcow2()
    {
        var demo = Path.Combine(HostTree.RepoRoot(), "testimages", "demo.qcow2");
        Assume.That(File.Exists(demo), Is.True, "run testimages/make-demo.sh");
        Assert.That(new FileInfo(demo).Length, Is.LessThan(4L * 1024 * 1024));
        Assert.That(ExternalTool.Run("qemu-img", "check", demo).ExitCode, Is.Zero);
        Assert.That(ExternalTool.Check("qemu-img", "info", demo), Does.Contain("virtual size: 64 MiB"));
    }
}
