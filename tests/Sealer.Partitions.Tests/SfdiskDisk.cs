using System.Text.Json;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.TestSupport;

namespace Sealer.Partitions.Tests;

/// <summary>A disk image partitioned by sfdisk, and what `sfdisk --json` says about it (the oracle).</summary>
internal sealed class SfdiskDisk
{
    private SfdiskDisk(string path, byte[] bytes, JsonElement? table)
    {
        Path = path;
        Bytes = bytes;
        Table = table;
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    /// <summary>The "partitiontable" object, or null when sfdisk finds no table.</summary>
    public JsonElement? Table { get; }

    public static SfdiskDisk Create(TempDirectory dir, string name, int sizeMiB, string? script)
    {
        var path = dir.File(name);
        using (var file = File.Create(path))
        {
            file.SetLength(sizeMiB * 1024L * 1024);
        }

        if (script is not null)
        {
            var run = ExternalTool.Run("sfdisk", ["-q", "--no-reread", "--no-tell-kernel", path], script);
            Assert.That(run.ExitCode, Is.Zero, $"sfdisk failed: {run}");
        }

        return Load(path);
    }

    public static SfdiskDisk Load(string path)
    {
        var json = ExternalTool.Run("sfdisk", "--json", path);
        JsonElement? table = json.ExitCode == 0 && json.StdOut.Trim().Length > 0
            ? JsonDocument.Parse(json.StdOut).RootElement.GetProperty("partitiontable").Clone()
            : null;
        return new SfdiskDisk(path, File.ReadAllBytes(path), table);
    }

    public MemoryBlockDevice Device() => new((byte[])Bytes.Clone(), writable: false);

    /// <summary>Partitions as sfdisk lists them, with the Linux number taken from the node name's suffix.</summary>
    public IReadOnlyList<JsonElement> OraclePartitions() =>
        Table is { } t && t.TryGetProperty("partitions", out var parts) ? parts.EnumerateArray().ToList() : [];

    public int OracleNumber(JsonElement partition)
    {
        var node = partition.GetProperty("node").GetString()!;
        return int.Parse(node[Path.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
