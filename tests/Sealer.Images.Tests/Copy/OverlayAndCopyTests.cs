using NUnit.Framework;
using Sealer.Images.Copy;
using Sealer.Images.Opening;
using Sealer.Images.Qcow2;
using Sealer.Images.Tests.Qcow2;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Copy;

[TestFixture]
public sealed class OverlayAndCopyTests
{
    [TestCase("raw")]
    [TestCase("qcow2")]
    public void OverlayIsCleanEqualsBackingAndRecordsFormat(string backingFormat)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("base"));
        var basePath = temp.File(backingFormat == "raw" ? "base/disk.raw" : "base/disk.qcow2");
        var content = Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 81);
        if (backingFormat == "raw")
        {
            File.WriteAllBytes(basePath, content);
        }
        else
        {
            File.WriteAllBytes(temp.File("src.raw"), content);
            Qemu.Img("convert", "-O", "qcow2", temp.File("src.raw"), basePath);
        }

        var overlay = temp.File("overlay.qcow2");
        Qcow2Creator.CreateOverlay(overlay, basePath, backingFormat, content.Length);

        Qemu.CheckClean(overlay);
        Assert.That(ExternalTool.Run("qemu-img", "compare", overlay, basePath).ExitCode, Is.Zero, "compare overlay with backing");
        var info = Qemu.Img("info", "--output=json", overlay);
        Assert.That(info, Does.Contain($"\"backing-filename-format\": \"{backingFormat}\""));
        Assert.That(info, Does.Contain($"\"backing-filename\": \"{Path.GetRelativePath(temp.Path, basePath)}\""));

        // Writes land in the overlay only.
        var baseBytes = File.ReadAllBytes(basePath);
        var twin = (byte[])content.Clone();
        Qcow2WriteTests.ApplyRandomWrites(overlay, twin, seed: 82, count: 40);
        Qemu.CheckClean(overlay);
        Qemu.AssertSameBytes(Qemu.ToRaw(overlay, temp), twin, "overlay after writes");
        Assert.That(File.ReadAllBytes(basePath), Is.EqualTo(baseBytes), "backing untouched");
    }

    [Test]
    public void OverlayOutsideTheBackingFolderUsesAnAbsoluteName()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("a"));
        Directory.CreateDirectory(temp.File("b"));
        File.WriteAllBytes(temp.File("a/base.raw"), Qemu.MakeContent(1 << 20, seed: 83));
        Qcow2Creator.CreateOverlay(temp.File("b/top.qcow2"), temp.File("a/base.raw"), "raw", 1 << 20);
        var info = Qemu.Img("info", "--output=json", temp.File("b/top.qcow2"));
        Assert.That(info, Does.Contain($"\"backing-filename\": \"{temp.File("a/base.raw")}\""));
        Qemu.CheckClean(temp.File("b/top.qcow2"));
    }

    [TestCase(16)]
    [TestCase(9)]
    [TestCase(21)]
    public void StandaloneImageIsCleanAndWritable(int clusterBits)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("new.qcow2");
        Qcow2Creator.Create(path, 24 << 20, clusterBits);
        Qemu.CheckClean(path);
        Assert.That(Qemu.Img("info", "--output=json", path), Does.Contain("\"virtual-size\": 25165824").And.Contain($"\"cluster-size\": {1 << clusterBits}"));
        var twin = new byte[24 << 20];
        Qcow2WriteTests.ApplyRandomWrites(path, twin, seed: 84, count: 40);
        Qemu.CheckClean(path);
        Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), twin, "content");
    }

    [TestCase("raw")]
    [TestCase("qcow2")]
    public void FlattenedCopyOfAChainEqualsTheSource(string format)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("base.raw"), Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 85));
        Qemu.Img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", temp.File("mid.qcow2"));
        Qemu.Io(temp.File("mid.qcow2"), "qcow2", "write -P 0xab 100k 300k");
        Qemu.Io(temp.File("mid.qcow2"), "qcow2", "write -z 2M 512k");
        Qemu.Img("create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", temp.File("top.qcow2"));
        Qemu.Io(temp.File("top.qcow2"), "qcow2", "write -P 0xcd 5M 100k");

        var output = temp.File($"copy.{format}");
        var reports = new List<double>();
        using (var source = ImageOpener.Open(temp.File("top.qcow2"), new ImageOpenOptions()))
        {
            ImageCopier.Copy(source.Device, output, format, new SynchronousProgress(reports.Add));
        }

        Assert.That(reports, Is.Not.Empty.And.Ordered);
        Assert.That(reports[^1], Is.EqualTo(1.0));
        var compare = ExternalTool.Run("qemu-img", "compare", "-f", "qcow2", "-F", format, temp.File("top.qcow2"), output);
        Assert.That(compare.ExitCode, Is.Zero, compare.ToString());
        if (format == "qcow2")
        {
            Qemu.CheckClean(output);
            Assert.That(Qemu.Img("info", "--output=json", output), Does.Not.Contain("backing-filename"));
        }

        // About a third of the 64 KiB blocks are zero and 512 KiB were zeroed: the copy must not store them.
        Assert.That(Qemu.AllocatedBytesOnDisk(output), Is.LessThan(Qcow2Variant.ImageSize * 85L / 100));
    }

    [Test]
    public void CopyOfASparseRawReadsOnlyItsData()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var source = temp.File("huge.raw");
        using (var stream = File.Create(source))
        {
            stream.SetLength(64L << 30);
            stream.Position = 1L << 30;
            stream.Write(Qemu.MakeContent(1 << 20, seed: 86));
        }

        using (var image = ImageOpener.Open(source, new ImageOpenOptions { Format = "raw" }))
        {
            ImageCopier.Copy(image.Device, temp.File("copy.qcow2"), "qcow2", progress: null);
        }

        Qemu.CheckClean(temp.File("copy.qcow2"));
        Assert.That(ExternalTool.Run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", source, temp.File("copy.qcow2")).ExitCode, Is.Zero);
        Assert.That(Qemu.AllocatedBytesOnDisk(temp.File("copy.qcow2")), Is.LessThan(8L << 20));
    }

    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
