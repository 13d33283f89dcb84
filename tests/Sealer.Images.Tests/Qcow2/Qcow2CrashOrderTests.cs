using NUnit.Framework;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

/// <summary>
/// The write order must make every crash state at an fsync boundary harmless: qemu-img check may find leaks (exit 3)
/// but never a corruption (exit 2), and the content is either old or new per write.
/// </summary>
[TestFixture]
public sealed class Qcow2CrashOrderTests
{
    [TestCase("compat=1.1", false, false)]
    [TestCase("compat=1.1,compression_type=zstd", true, false)]
    [TestCase("compat=0.10", false, true)]
    [TestCase("compat=1.1,cluster_size=512", false, false)]
    public void EveryFsyncBoundaryLeavesAConsistentImage(string options, bool compress, bool snapshot)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = new Qcow2Variant("crash", options, compress).Make(temp, Qemu.MakeContent(4 << 20, seed: 101));
        if (snapshot)
        {
            Qemu.Img("snapshot", "-c", "s1", path);
        }

        var original = File.ReadAllBytes(path);
        var random = new Random(102);
        JournalingHostFile journal;
        using (journal = new JournalingHostFile(Sealer.Images.Host.FileHostFile.Open(path, writable: true)))
        using (var image = ImageOpener.Open(journal, new ImageOpenOptions { Writable = true }))
        {
            for (var i = 0; i < 12; i++)
            {
                var data = new byte[random.Next(1, options.Contains("512", StringComparison.Ordinal) ? 200_000 : 70_000)];
                random.NextBytes(data);
                image.Device.Write(random.NextInt64(0, (4 << 20) - data.Length), data);
            }
        }

        Assert.That(journal.FlushPoints, Is.Not.Empty, "writes must be ordered with fsyncs");
        // Crash model: everything before an fsync is durable; of the writes after it, any one may have landed alone
        // (the disk may reorder them). So check "durable prefix + one later write" for sampled intervals.
        var crashFile = temp.File("crash.qcow2");
        var points = new List<int> { 0 };
        points.AddRange(journal.FlushPoints.Distinct());
        var step = Math.Max(1, points.Count / 12);
        var checks = 0;
        for (var k = 0; k + 1 < points.Count; k += step)
        {
            var durable = Enumerable.Range(0, points[k]).ToList();
            var interval = Enumerable.Range(points[k], points[k + 1] - points[k]).ToList();
            foreach (var single in interval.Count <= 4 ? interval : [interval[0], interval[interval.Count / 2], interval[^1]])
            {
                File.WriteAllBytes(crashFile, journal.Replay(original, durable.Append(single)));
                var check = ExternalTool.Run("qemu-img", "check", crashFile);
                Assert.That(check.ExitCode, Is.AnyOf(0, 3), $"crash after fsync {k} of {points.Count} with write {single}: {check}");
                checks++;
            }
        }

        Assert.That(checks, Is.GreaterThan(5));

        Qemu.CheckClean(path);
    }
}
