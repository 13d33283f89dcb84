using System.Diagnostics;
using Sealer.Core.IO;
using Sealer.Images.Host;
using Sealer.Images.Qcow2;
using Sealer.Images.Opening;
using Sealer.Images.Raw;
using Sealer.Partitions;

namespace Sealer.Bench;

/// <summary>qcow2 read throughput against raw on the same data, and the cost of opening a 1 TiB qcow2.</summary>
public static class Qcow2Bench
{
    private const long DataSize = 1L << 30;
    private const int ReadSize = 4096;
    private const int ReadCount = 200_000;

    public static void Run(string workDir)
    {
        var raw = Path.Combine(workDir, "bench.raw");
        var qcow2 = Path.Combine(workDir, "bench.qcow2");
        PrepareImages(raw, qcow2);

        // Warm the page cache and the JIT with one pass each, then time a second pass.
        MeasureRandomReads(raw, isQcow2: false);
        MeasureRandomReads(qcow2, isQcow2: true);
        var rawMbps = MeasureRandomReads(raw, isQcow2: false);
        var qcowMbps = MeasureRandomReads(qcow2, isQcow2: true);
        Console.WriteLine($"random {ReadSize}-byte reads x{ReadCount}: raw {rawMbps:F0} MB/s, qcow2 {qcowMbps:F0} MB/s, qcow2/raw = {qcowMbps / rawMbps:P0} (target >= 50%)");

        MeasureLargeOpen(workDir);
        File.Delete(raw);
        File.Delete(qcow2);
    }

    private static void PrepareImages(string raw, string qcow2)
    {
        // 1 GiB of pseudo-random data in 1 MiB pieces, then qemu-img convert (bench only; src never runs qemu-img).
        var random = new Random(1);
        var chunk = new byte[1 << 20];
        using (var stream = new FileStream(raw, FileMode.Create, FileAccess.Write))
        {
            for (long done = 0; done < DataSize; done += chunk.Length)
            {
                random.NextBytes(chunk);
                stream.Write(chunk);
            }
        }

        using var process = Process.Start(new ProcessStartInfo("qemu-img", ["convert", "-O", "qcow2", raw, qcow2]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot start qemu-img");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"qemu-img convert failed with exit code {process.ExitCode}");
        }
    }

    private static double MeasureRandomReads(string path, bool isQcow2)
    {
        using IBlockDevice device = isQcow2
            ? new Qcow2Image(FileHostFile.Open(path, writable: false), writable: false)
            : new RawImage(FileHostFile.Open(path, writable: false), writable: false);
        var random = new Random(7);
        var buffer = new byte[ReadSize];
        var blocks = device.Length / ReadSize;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < ReadCount; i++)
        {
            device.Read(random.NextInt64(blocks) * ReadSize, buffer);
        }

        stopwatch.Stop();
        return (double)ReadCount * ReadSize / stopwatch.Elapsed.TotalSeconds / 1e6;
    }

    public static void MeasureLargeOpen(string workDir)
    {
        var small = MakeGptQcow2(workDir, "small", "1G");
        var large = MakeGptQcow2(workDir, "large", "1T");

        // Start-up: JIT the open and partition-table paths on the small image first.
        var (smallTime, smallParts) = OpenAndReadPartitionTable(small);
        var smallSet = WorkingSetMiB();
        var (largeTime, largeParts) = OpenAndReadPartitionTable(large);
        var largeSet = WorkingSetMiB();
        Console.WriteLine($"open 1 GiB qcow2 + read its GPT ({smallParts} partitions): {smallTime:F2} ms (includes JIT start-up), working set {smallSet:F1} MiB");
        Console.WriteLine($"open 1 TiB qcow2 + read its GPT ({largeParts} partitions): {largeTime:F2} ms (target < 50 ms), working set {largeSet:F1} MiB (delta {largeSet - smallSet:+0.0;-0.0} MiB)");
        FirstWrite(small);
        FirstWrite(large);
        var writeTime = FirstWrite(large);
        Console.WriteLine($"open 1 TiB qcow2 writable + first 4 KiB write (builds the metadata/cluster-use map for the overlap checks; recorded, not written): {writeTime:F2} ms");
        File.Delete(small);
        File.Delete(large);
    }

    /// <summary>A sparse raw disk with a GPT made by sfdisk, converted by qemu-img (bench only; src never runs them).</summary>
    private static string MakeGptQcow2(string workDir, string name, string size)
    {
        var raw = Path.Combine(workDir, name + ".raw");
        var qcow2 = Path.Combine(workDir, name + ".qcow2");
        File.Delete(qcow2);
        Run("truncate", ["-s", size, raw], null);
        Run("sfdisk", ["-q", raw], "label: gpt\nsize=512MiB, type=linux, name=root\nsize=512MiB, type=linux, name=var\n");
        Run("qemu-img", ["convert", "-O", "qcow2", raw, qcow2], null);
        File.Delete(raw);
        return qcow2;
    }

    private static void Run(string tool, string[] args, string? stdin)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { UseShellExecute = false, RedirectStandardInput = true })
            ?? throw new InvalidOperationException($"cannot start {tool}");
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}");
        }
    }

    private static (double Milliseconds, int Partitions) OpenAndReadPartitionTable(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        using var image = ImageOpener.Open(path, new ImageOpenOptions { Format = null, Writable = false, AllowBacking = false });
        var table = PartitionTableReader.Read(image.Device);
        return (stopwatch.Elapsed.TotalMilliseconds, table.Partitions.Count);
    }

    /// <summary>Opens the image writable over a recording view (as an in-place seal does) and writes one cluster in the middle.</summary>
    private static double FirstWrite(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        using var file = FileHostFile.Open(path, writable: false);
        using var recording = new Sealer.Images.Transactions.RecordingHostFile(file);
        using var image = ImageOpener.Open(recording, new ImageOpenOptions { Format = "qcow2", Writable = true });
        image.Device.Write(image.Device.Length / 2, new byte[4096]);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double WorkingSetMiB()
    {
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1048576.0;
    }
}
