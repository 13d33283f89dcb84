using Sealer.TestSupport;
using System.Diagnostics;
using NUnit.Framework;

namespace Sealer.Ext4.Tests;

/// <summary>
/// Measurements for the issue 8 report (explicit, never part of a normal run): the open time of a large file system
/// (the system zone is built at open) and the cost of the ownership scan on a populated one.
///   SEALER_EXT4_OPEN=/path/1tib.img dotnet test ... --filter Name=OpenTime
///   SEALER_EXT4_SCAN=/path/populated.img SEALER_EXT4_SCAN_DELETE=/some/file dotnet test ... --filter Name=ScanCost
/// The scan test changes the image: give it a copy.
/// </summary>
[TestFixture]
[Explicit("measurement; needs an image named by an environment variable")]
public sealed class CostProbe
{
    [Test]
    public void OpenTime()
    {
        var path = Environment.GetEnvironmentVariable("SEALER_EXT4_OPEN") ?? throw new IgnoreException("SEALER_EXT4_OPEN not set");
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            using var device = new FileBlockDevice(path, writable: false);
            var watch = Stopwatch.StartNew();
            using var fs = Ext4FileSystem.Open(device, writable: false);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        TestContext.Out.WriteLine($"open {path}: median {times[3]:F1} ms (min {times[0]:F1}, max {times[^1]:F1}) over 7 opens");
    }

    [Test]
    public void ScanCost()
    {
        var path = Environment.GetEnvironmentVariable("SEALER_EXT4_SCAN") ?? throw new IgnoreException("SEALER_EXT4_SCAN not set");
        var victim = Environment.GetEnvironmentVariable("SEALER_EXT4_SCAN_DELETE") ?? "/doc/README";
        using var device = new FileBlockDevice(path, writable: true);
        var open = Stopwatch.StartNew();
        using var fs = Ext4FileSystem.Open(device, writable: true);
        var opened = open.Elapsed.TotalMilliseconds;
        var watch = Stopwatch.StartNew();
        fs.Delete(victim);
        var deleted = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        fs.WriteFile(victim, new byte[10_000], (UnixFileMode)0x1A4);
        var second = watch.Elapsed.TotalMilliseconds;
        var (inodes, time) = fs.OwnershipScanCost;
        TestContext.Out.WriteLine(
            $"open {opened:F1} ms; first change (delete {victim}) {deleted:F1} ms, of which the ownership scan {time.TotalMilliseconds:F1} ms over {inodes} inodes; next change {second:F1} ms");
    }
}
