using System.Security.Cryptography;
using System.Text.Json;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>External checks of a disk image: qemu-img check, e2fsck -fn of every ext partition, debugfs reads.</summary>
internal static class DiskOracle
{
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Converts any image to raw with qemu-img (the independent reader).</summary>
    public static string ToRaw(string image, TempDirectory temp)
    {
        var raw = temp.File(Path.GetFileName(image) + $".{Guid.NewGuid():N}.raw");
        ExternalTool.Check("qemu-img", "convert", "-O", "raw", image, raw);
        return raw;
    }

    public static void QemuImgCheck(string image)
    {
        var info = ExternalTool.Check("qemu-img", "info", "--output=json", image);
        if (info.Contains("\"format\": \"qcow2\"", StringComparison.Ordinal))
        {
            var r = ExternalTool.Run("qemu-img", "check", image);
            Assert.That(r.ExitCode, Is.Zero, $"qemu-img check {image}: {r}");
        }
    }

    /// <summary>Every partition of a raw disk (or the whole disk) as a separate file, for e2fsck and debugfs.</summary>
    public static IReadOnlyList<string> ExtractFileSystems(string rawDisk, TempDirectory temp)
    {
        var dump = ExternalTool.Run("sfdisk", "--json", rawDisk);
        var result = new List<string>();
        if (dump.ExitCode != 0 || string.IsNullOrWhiteSpace(dump.StdOut))
        {
            result.Add(rawDisk);
            return result;
        }

        using var doc = JsonDocument.Parse(dump.StdOut);
        var table = doc.RootElement.GetProperty("partitiontable");
        var sectorSize = table.TryGetProperty("sectorsize", out var ss) ? ss.GetInt64() : 512;
        var index = 0;
        foreach (var part in table.GetProperty("partitions").EnumerateArray())
        {
            if (part.TryGetProperty("type", out var type) && type.GetString() is "5" or "f" or "85")
            {
                continue; // extended container
            }

            var start = part.GetProperty("start").GetInt64() * sectorSize;
            var size = part.GetProperty("size").GetInt64() * sectorSize;
            var file = temp.File($"part{++index}-{Guid.NewGuid():N}.img");
            using (var src = File.OpenRead(rawDisk))
            using (var dst = File.Create(file))
            {
                src.Position = start;
                CopyBytes(src, dst, size);
            }

            if (ExternalTool.Run("blkid", "-p", "-s", "TYPE", "-o", "value", file).StdOut.Trim().StartsWith("ext", StringComparison.Ordinal))
            {
                result.Add(file);
            }
        }

        return result;
    }

    public static void E2fsckClean(string fsImage)
    {
        var r = ExternalTool.Run("e2fsck", "-fn", fsImage);
        Assert.That(r.ExitCode, Is.Zero, $"e2fsck -fn {fsImage}: {r}");
    }

    /// <summary>Runs a read-only debugfs command on a file-system image.</summary>
    public static string Debugfs(string fsImage, string command) => ExternalTool.Run("debugfs", "-R", command, fsImage).StdOut;

    /// <summary>True when <paramref name="path"/> exists in the file system (debugfs stat succeeds).</summary>
    public static bool Exists(string fsImage, string path)
    {
        var r = ExternalTool.Run("debugfs", "-R", $"stat {path}", fsImage);
        return r.StdOut.Contains("Inode:", StringComparison.Ordinal);
    }

    public static string Cat(string fsImage, string path) => Debugfs(fsImage, $"cat {path}");

    private static void CopyBytes(Stream src, Stream dst, long count)
    {
        var buffer = new byte[1 << 20];
        while (count > 0)
        {
            var n = src.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n <= 0)
            {
                break;
            }

            dst.Write(buffer, 0, n);
            count -= n;
        }
    }
}
