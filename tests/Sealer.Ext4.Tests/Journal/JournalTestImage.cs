using System.Globalization;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.Ext4.Journal;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>A small ext4 image made by mke2fs, with helpers to read its journal layout through debugfs.</summary>
internal sealed class JournalTestImage
{
    private JournalTestImage(string path, int blockSize, long[] journalBlocks)
    {
        Path = path;
        BlockSize = blockSize;
        JournalBlocks = journalBlocks;
    }

    public string Path { get; }

    public int BlockSize { get; }

    /// <summary>Filesystem block of each journal block, in journal order (from debugfs "blocks &lt;8&gt;").</summary>
    public long[] JournalBlocks { get; }

    public JournalBlockMap Map => journalBlock => JournalBlocks[journalBlock];

    public static JournalTestImage Create(TempDirectory dir, string name, int blockSize, string sizeMiB, params string[] mkfsOptions)
    {
        ExternalTool.Require("mke2fs");
        ExternalTool.Require("debugfs");
        ExternalTool.Require("e2fsck");
        var path = dir.File(name);
        using (var f = File.Create(path))
        {
            f.SetLength(long.Parse(sizeMiB, CultureInfo.InvariantCulture) * 1024 * 1024);
        }

        string[] args = ["-q", "-t", "ext4", "-b", blockSize.ToString(CultureInfo.InvariantCulture), "-F", "-E", "lazy_itable_init=0",
            .. mkfsOptions, path];
        ExternalTool.Check("mke2fs", args);
        var blocks = ExternalTool.Check("debugfs", "-R", "blocks <8>", path)
            .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();
        Assert.That(blocks, Has.Length.GreaterThanOrEqualTo(1024), "journal inode blocks");
        return new JournalTestImage(path, blockSize, blocks);
    }

    /// <summary>Runs a debugfs -w script (one command per line) and fails on any error output.</summary>
    public void Debugfs(params string[] commands)
    {
        var result = ExternalTool.Run("debugfs", ["-w", "-f", "-", Path], stdin: string.Join('\n', commands) + "\n");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var errors = result.StdErr.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("debugfs ", StringComparison.Ordinal)).ToList();
        Assert.That(errors, Is.Empty, result.ToString());
    }

    public string CopyTo(string path)
    {
        File.Copy(Path, path, overwrite: true);
        return path;
    }

    public MemoryBlockDevice Load(string path) => new(File.ReadAllBytes(path));

    public static byte[] Block(byte[] image, int blockSize, long block) => image.AsSpan(checked((int)(block * blockSize)), blockSize).ToArray();

    /// <summary>Writes random blocks to a file for debugfs jw (fixed seed); the block at <paramref name="magicAt"/> starts
    /// with the JBD2 magic so the journal has to escape it.</summary>
    public string DataFile(TempDirectory dir, string name, int blocks, int seed, int magicAt = -1)
    {
        var data = new byte[blocks * BlockSize];
        new Random(seed).NextBytes(data);
        if (magicAt >= 0)
        {
            ((ReadOnlySpan<byte>)[0xC0, 0x3B, 0x39, 0x98]).CopyTo(data.AsSpan(magicAt * BlockSize));
        }

        var path = dir.File(name);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>Free blocks from debugfs "ffb COUNT GOAL".</summary>
    public long[] FreeBlocks(int count, long goal)
    {
        var output = ExternalTool.Check("debugfs", "-R", $"ffb {count} {goal}", Path);
        var list = output[(output.IndexOf(':', StringComparison.Ordinal) + 1)..]
            .Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture))
            .ToArray();
        Assert.That(list, Has.Length.EqualTo(count), output);
        return list;
    }

    /// <summary>Superblock and group-descriptor blocks (primary and backups) from dumpe2fs; e2fsck rewrites these.</summary>
    public HashSet<long> SuperblockAndDescriptorBlocks(string path)
    {
        var set = new HashSet<long> { 0 };
        var output = ExternalTool.Check("dumpe2fs", path);
        foreach (var line in output.Split('\n'))
        {
            var trimmed = line.Trim();
            if (!trimmed.Contains("superblock at ", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var part in trimmed.Split(',', StringSplitOptions.TrimEntries))
            {
                var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var range = words[^1].Split('-');
                var first = long.Parse(range[0], CultureInfo.InvariantCulture);
                var last = range.Length > 1 ? long.Parse(range[1], CultureInfo.InvariantCulture) : first;
                if (part.Contains("superblock", StringComparison.Ordinal) || part.Contains("Group descriptors", StringComparison.Ordinal)
                    || part.Contains("Reserved GDT", StringComparison.Ordinal))
                {
                    for (var b = first; b <= last; b++)
                    {
                        set.Add(b);
                    }
                }
            }
        }

        return set;
    }
}
