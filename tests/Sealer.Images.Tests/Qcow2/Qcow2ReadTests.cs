using NUnit.Framework;
using Sealer.Images.Opening;
using Sealer.Images.Qcow2;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

[TestFixture]
public sealed class Qcow2ReadTests
{
    [TestCaseSource(typeof(Qcow2Variant), nameof(Qcow2Variant.ForReading))]
    public void RandomReadsMatchQemuConvert(Qcow2Variant variant)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = variant.Make(temp, Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 11));
        if (!variant.Options.Contains("compat=0.10", StringComparison.Ordinal) && !variant.Options.Contains("extended_l2", StringComparison.Ordinal))
        {
            // Zero clusters (v3 only): over data, and a plain one over nothing.
            Qemu.Io(path, "qcow2", "write -z 1M 192k");
            Qemu.Io(path, "qcow2", "write -z 7M 64k");
        }

        var expected = Qemu.ToRaw(path, temp);
        using var image = ImageOpener.Open(path, new ImageOpenOptions());
        Assert.That(image.Format, Is.EqualTo("qcow2"));
        Assert.That(image.Device.Length, Is.EqualTo(expected.Length));

        var all = new byte[expected.Length];
        image.Device.Read(0, all);
        Qemu.AssertSameBytes(all, expected, $"{variant} full read");

        var random = new Random(5);
        var buffer = new byte[300_000];
        for (var i = 0; i < 400; i++)
        {
            var length = random.Next(4) == 0 ? random.Next(1, buffer.Length) : random.Next(1, 9000);
            var offset = random.NextInt64(0, expected.Length - length + 1);
            image.Device.Read(offset, buffer.AsSpan(0, length));
            Qemu.AssertSameBytes(buffer.AsSpan(0, length), expected.AsSpan((int)offset, length), $"{variant} read {length} at 0x{offset:x}");
        }
    }

    [TestCaseSource(typeof(Qcow2Variant), nameof(Qcow2Variant.ForReading))]
    public void AllocationMapCoversEveryNonZeroByte(Qcow2Variant variant)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var content = Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 12);
        var path = variant.Make(temp, content);
        using var image = new Qcow2Image(Sealer.Images.Host.FileHostFile.Open(path, false), writable: false);
        var ranges = image.GetAllocatedRanges().ToList();
        var covered = new bool[content.Length];
        long previousEnd = -1;
        foreach (var r in ranges)
        {
            Assert.That(r.Offset, Is.GreaterThan(previousEnd), "ranges ascending and not touching");
            previousEnd = r.End;
            Array.Fill(covered, true, (int)r.Offset, (int)r.Length);
        }

        var firstUncoveredData = Enumerable.Range(0, content.Length).FirstOrDefault(i => content[i] != 0 && !covered[i], -1);
        Assert.That(firstUncoveredData, Is.EqualTo(-1), "non-zero byte outside the allocation map");

        // convert leaves zero blocks unallocated, so the map must be smaller than the disk (2 MiB clusters all hold data).
        if (!variant.Options.Contains("2097152", StringComparison.Ordinal))
        {
            Assert.That(ranges.Sum(r => r.Length), Is.LessThan(content.Length));
        }
    }

    [Test]
    public void BackingChainOfThreeReadsLikeQemu()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var basePath = temp.File("base.raw");
        File.WriteAllBytes(basePath, Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 21));
        Qemu.Img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", temp.File("mid.qcow2"));
        Qemu.Io(temp.File("mid.qcow2"), "qcow2", "write -P 0xab 100k 300k");
        Qemu.Io(temp.File("mid.qcow2"), "qcow2", "write -z 2M 64k");
        Qemu.Img("create", "-f", "qcow2", "-o", "cluster_size=4096", "-b", "mid.qcow2", "-F", "qcow2", temp.File("top.qcow2"));
        Qemu.Io(temp.File("top.qcow2"), "qcow2", "write -P 0xcd 250k 5000");
        Qemu.Io(temp.File("top.qcow2"), "qcow2", "write -P 0xee 3M 1M");
        var expected = Qemu.ToRaw(temp.File("top.qcow2"), temp);

        using var image = ImageOpener.Open(temp.File("top.qcow2"), new ImageOpenOptions());
        Assert.That(image.Chain, Is.EqualTo(new[] { temp.File("top.qcow2"), temp.File("mid.qcow2"), temp.File("base.raw") }));
        var all = new byte[expected.Length];
        image.Device.Read(0, all);
        Qemu.AssertSameBytes(all, expected, "chain of 3");
    }

    [Test]
    public void InternalSnapshotIsParsedAndActiveL1IsRead()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = new Qcow2Variant("v3", "compat=1.1").Make(temp, Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 31));
        Qemu.Img("snapshot", "-c", "before", path);
        Qemu.Io(path, "qcow2", "write -P 0x5a 0 128k");
        var expected = Qemu.ToRaw(path, temp);

        using var image = new Qcow2Image(Sealer.Images.Host.FileHostFile.Open(path, false), writable: false);
        Assert.That(image.Snapshots.Select(s => s.Name), Is.EqualTo(new[] { "before" }));
        var all = new byte[expected.Length];
        image.Read(0, all);
        Qemu.AssertSameBytes(all, expected, "active state after snapshot");
    }

    [Test]
    public void UnallocatedClustersWithoutBackingReadAsZeros()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("empty.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "4M");
        using var image = new Qcow2Image(Sealer.Images.Host.FileHostFile.Open(path, false), writable: false);
        var all = new byte[image.Length];
        all.AsSpan().Fill(0x77);
        image.Read(0, all);
        Assert.That(all.AsSpan().ContainsAnyExcept((byte)0), Is.False);
        Assert.That(image.GetAllocatedRanges(), Is.Empty);
    }
}
