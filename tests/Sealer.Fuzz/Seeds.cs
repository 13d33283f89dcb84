using System.Diagnostics;
using Sealer.Fuzz.Targets;

namespace Sealer.Fuzz;

/// <summary>
/// Seed inputs: made by testimages/fuzz/make-seeds.sh (qemu-img, sfdisk, mke2fs, debugfs) into DIR/&lt;target&gt;/, then
/// ext4 and disk seeds get their trailing zeros cut (the targets read zeros up to the size the format declares).
/// </summary>
public static class Seeds
{
    /// <summary>Runs the seed script into <paramref name="outDirectory"/> and trims the results.</summary>
    public static void Make(string repositoryRoot, string outDirectory)
    {
        ArgumentNullException.ThrowIfNull(repositoryRoot);
        var script = Path.Combine(repositoryRoot, "testimages", "fuzz", "make-seeds.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(outDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}): {stderr}{stdout.Result}");
        }

        foreach (var target in FuzzTargets.All.Where(t => t.Format is not InputFormat.Qcow2))
        {
            foreach (var file in Directory.GetFiles(Path.Combine(outDirectory, target.Name)))
            {
                File.WriteAllBytes(file, TrimTrailingZeros(File.ReadAllBytes(file)));
            }
        }
    }

    /// <summary>The seeds of <paramref name="target"/> under <paramref name="directory"/>, in name order.</summary>
    public static IReadOnlyList<byte[]> Load(string directory, FuzzTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return [.. Directory.GetFiles(Path.Combine(directory, target.Name)).Order(StringComparer.Ordinal).Select(ReadInput)];
    }

    /// <summary>A corpus or seed file's bytes; a ".gz" file is decompressed (large file-system inputs are kept that way).</summary>
    public static byte[] ReadInput(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.EndsWith(".gz", StringComparison.Ordinal))
        {
            return File.ReadAllBytes(path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The input up to its last non-zero byte, rounded up to a 512-byte sector.</summary>
    public static byte[] TrimTrailingZeros(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var last = data.AsSpan().LastIndexOfAnyExcept((byte)0);
        var length = (int)Math.Min(data.Length, ((long)last + 1 + 511) / 512 * 512);
        return data[..length];
    }
}
