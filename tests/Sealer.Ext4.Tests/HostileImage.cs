using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>
/// A small guest-like file system (mke2fs -d) that a test damages with debugfs (sif, setb, freeb, link...), then
/// seals through the driver. Either the driver refuses (InvalidImageException, one line, image byte-identical) or it
/// succeeds and every file it was not asked to change reads back identical (debugfs rdump) with no new e2fsck problem.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed partial class HostileImage : IDisposable
{
    private HostileImage(TempDirectory tmp, string path, GuestModel model)
    {
        Tmp = tmp;
        Path = path;
        Model = model;
    }

    public TempDirectory Tmp { get; }

    public string Path { get; }

    /// <summary>The tree as made; tests remove what they delete.</summary>
    public GuestModel Model { get; }

    public static string PasswdText { get; } =
        string.Concat(Enumerable.Range(0, 120).Select(i => $"user{i}:x:{1000 + i}:{1000 + i}::/home/user{i}:/bin/sh\n"));

    /// <summary>ext2/ext3/ext4 with 1 KiB blocks over 32 MiB (4 groups: superblock backups in groups 1 and 3).</summary>
    public static HostileImage Make(string type = "ext4", string options = "", string size = "32M", string blockSize = "1024")
    {
        Oracle.Require();
        var tmp = new TempDirectory("ext4-hostile");
        var src = tmp.File("src");
        var model = new GuestModel();
        var random = new Random(8);
        void Dir(string rel)
        {
            Directory.CreateDirectory(src + rel);
            model.Dir(rel);
        }

        void FileOf(string rel, byte[] content)
        {
            File.WriteAllBytes(src + rel, content);
            File.SetUnixFileMode(src + rel, (UnixFileMode)0x1A4);
            model.File(rel, content);
        }

        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        Directory.CreateDirectory(src);
        File.SetUnixFileMode(src, (UnixFileMode)0x1ED);
        Dir("/etc");
        FileOf("/etc/passwd", Encoding.ASCII.GetBytes(PasswdText));
        FileOf("/etc/hostname", "guest\n"u8.ToArray());
        Dir("/var");
        Dir("/var/log");
        FileOf("/var/log/app.log", Bytes(20_000));
        FileOf("/var/log/old.log", Bytes(9_000));
        Dir("/var/log/sub");
        FileOf("/var/log/sub/x.log", Bytes(3_000));
        Dir("/data");
        FileOf("/data/keep.bin", Bytes(50_000));
        foreach (var d in model.Nodes.Where(n => n.Value.Kind == Sealer.Core.FileSystems.FileKind.Directory))
        {
            File.SetUnixFileMode(src + d.Key, (UnixFileMode)0x1ED);
        }

        var path = Oracle.MakeImage(tmp, src, type, options, size, blockSize);
        model.Dir("/lost+found", 0x1C0);
        return new HostileImage(tmp, path, model);
    }

    /// <summary>Runs debugfs -w commands (each must succeed).</summary>
    public void Damage(params string[] commands)
    {
        foreach (var command in commands)
        {
            var r = ExternalTool.Run("debugfs", "-w", "-R", command, Path);
            Assert.That(r.ExitCode, Is.Zero, $"debugfs -w -R '{command}': {r}");
            Assert.That(r.StdErr, Does.Not.Contain("Usage").And.Not.Contain("not found").And.Not.Contain("nvalid"), $"debugfs -w -R '{command}': {r}");
        }
    }

    public long Bmap(string path, long logical) => long.Parse(Oracle.Debugfs(Path, $"bmap {path} {logical}").Trim());

    public uint InodeOf(string path) => uint.Parse(InodeNumber().Match(Oracle.Debugfs(Path, $"stat {path}")).Groups[1].Value);

    /// <summary>Metadata locations of group <paramref name="group"/> from dumpe2fs.</summary>
    public (long Superblock, long Gdt, long ReservedGdt, long BlockBitmap, long InodeBitmap, long InodeTable) Group(int group)
    {
        var dump = ExternalTool.Check("dumpe2fs", Path);
        var section = dump[dump.IndexOf($"Group {group}:", StringComparison.Ordinal)..];
        var next = section.IndexOf($"Group {group + 1}:", StringComparison.Ordinal);
        section = next > 0 ? section[..next] : section;
        long Find(Regex r) => r.Match(section) is { Success: true } m ? long.Parse(m.Groups[1].Value) : -1;
        return (Find(SuperAt()), Find(GdtAt()), Find(ReservedAt()), Find(BlockBitmapAt()), Find(InodeBitmapAt()), Find(InodeTableAt()));
    }

    public long BlocksCount => long.Parse(BlockCount().Match(ExternalTool.Check("dumpe2fs", "-h", Path)).Groups[1].Value);

    /// <summary>e2fsck -fn output lines that name a problem (the summary lines removed).</summary>
    public string[] FsckProblems()
    {
        var r = ExternalTool.Run("e2fsck", "-fn", Path);

        // Free counts shift with every free or allocation: a wrong count before stays "the same problem" after.
        return [.. (r.StdOut + r.StdErr).Split('\n')
            .Select(l => l.Contains("count wrong", StringComparison.Ordinal) ? CountNumbers().Replace(l, "(..)") : l)
            .Where(l => l.Length > 0 && !l.StartsWith("Pass ", StringComparison.Ordinal) && !l.Contains(" files (", StringComparison.Ordinal) &&
                        !l.StartsWith("e2fsck ", StringComparison.Ordinal) && !l.Contains("WARNING", StringComparison.Ordinal))];
    }

    /// <summary>Runs <paramref name="use"/> on a writable driver over a copy in memory and expects a one-line refusal
    /// that leaves every byte of the image as it was.</summary>
    public InvalidImageException AssertRefused(Action<Ext4FileSystem> use, string mentions) => AssertRefusedAt(Path, use, mentions);

    public static InvalidImageException AssertRefusedAt(string path, Action<Ext4FileSystem> use, string mentions)
    {
        var image = File.ReadAllBytes(path);
        var snapshot = (byte[])image.Clone();
        var device = new MemoryBlockDevice(image);
        var error = Assert.Throws<InvalidImageException>(() =>
        {
            using var fs = Ext4FileSystem.Open(device, writable: true);
            use(fs);
        })!;
        Assert.That(error.Message, Does.Not.Contain('\n').And.StartWith("ext4:").And.Contain(mentions), error.Message);
        Assert.That(error.Message, Has.Length.LessThan(300), "one readable line");
        Assert.That(image.AsSpan().SequenceEqual(snapshot), Is.True, "a refused seal must not change a byte");
        return error;
    }

    /// <summary>Runs <paramref name="use"/> on the image file itself; either it refuses (nothing written) or every
    /// file of the model reads back identical and e2fsck finds no problem that was not there before.</summary>
    public bool SealRefusesOrKeepsOthers(Action<Ext4FileSystem> use)
    {
        var before = FsckProblems();
        var snapshot = File.ReadAllBytes(Path);
        try
        {
            using var device = new FileBlockDevice(Path, writable: true);
            using var fs = Ext4FileSystem.Open(device, writable: true);
            use(fs);
        }
        catch (InvalidImageException e)
        {
            TestContext.Out.WriteLine($"refused: {e.Message}");
            Assert.That(e.Message, Does.Not.Contain('\n').And.StartWith("ext4:"));
            Assert.That(File.ReadAllBytes(Path).AsSpan().SequenceEqual(snapshot), Is.True, $"refused ({e.Message}) but the image changed");
            return false;
        }

        Oracle.AssertTreeMatches(Tmp, Path, Model);
        var after = FsckProblems();
        Assert.That(after.Except(before), Is.Empty, $"new e2fsck problems; before:\n{string.Join('\n', before)}\nafter:\n{string.Join('\n', after)}");
        return true;
    }

    public void Dispose() => Tmp.Dispose();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex CountNumbers();

    [GeneratedRegex(@"Inode: (\d+)")]
    private static partial Regex InodeNumber();

    [GeneratedRegex(@"superblock at (\d+)")]
    private static partial Regex SuperAt();

    [GeneratedRegex(@"Group descriptors at (\d+)")]
    private static partial Regex GdtAt();

    [GeneratedRegex(@"Reserved GDT blocks at (\d+)")]
    private static partial Regex ReservedAt();

    [GeneratedRegex(@"Block bitmap at (\d+)")]
    private static partial Regex BlockBitmapAt();

    [GeneratedRegex(@"Inode bitmap at (\d+)")]
    private static partial Regex InodeBitmapAt();

    [GeneratedRegex(@"Inode table at (\d+)")]
    private static partial Regex InodeTableAt();

    [GeneratedRegex(@"Block count:\s+(\d+)")]
    private static partial Regex BlockCount();
}
