using System.Text;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Large directories (htree), many-extent files and space exhaustion, judged by e2fsck and debugfs.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class StructureTests
{
    private const int Count = 4000;

    private static string Name(int i) => $"a-rather-long-file-name-for-the-htree-{i:D5}";

    [Test]
    public void TwoLevelHtreeDirectoryStaysValidAfterInsertAndDelete()
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-htree");
        var source = tmp.File("src");
        var big = Path.Combine(source, "big");
        Directory.CreateDirectory(big);
        // mke2fs -d inserts linearly (quadratic): 20,000 names take minutes, so use fewer, longer names; with 1 KiB
        // blocks e2fsck -D still needs two index levels for them.
        for (var i = 0; i < Count; i++)
        {
            File.WriteAllBytes(Path.Combine(big, Name(i)), []);
        }

        var image = Oracle.MakeImage(tmp, source, "ext4", "-N 6000", "24M", "1024");
        var index = ExternalTool.Run("e2fsck", "-fyD", image);
        Assert.That(index.ExitCode, Is.LessThanOrEqualTo(1), index.ToString());
        Oracle.AssertClean(image, "e2fsck -fyD");
        Assert.That(Oracle.Debugfs(image, "htree /big"), Does.Contain("Indirect levels: 1"), "fixture must be a two-level htree");

        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            Assert.That(fs.ReadDirectory("/big"), Has.Count.EqualTo(Count));
            Assert.That(fs.TryStat("/big/" + Name(2345)), Is.Not.Null);
            fs.Delete("/big/" + Name(7));
            for (var i = 0; i < 40; i++)
            {
                fs.WriteFile($"/big/new-{i}", Encoding.ASCII.GetBytes($"n{i}"), (UnixFileMode)0x1A4);
            }

            fs.CreateDirectory("/big/subdir", (UnixFileMode)0x1ED);
            fs.Delete("/big/" + Name(Count - 1));
            Assert.That(fs.TryStat("/big/" + Name(Count - 1)), Is.Null, "deleted name must be gone");
            Assert.That(fs.ReadDirectory("/big"), Has.Count.EqualTo(Count - 2 + 41));
        }

        Oracle.AssertClean(image, "htree insert");
        var listing = Oracle.Debugfs(image, "ls -p /big");
        // debugfs ls also prints emptied slots (inode 0) that still carry a stale name: skip them.
        var names = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('/')).Where(f => f.Length > 5 && f[1] != "0").Select(f => f[5]).Where(n => n is not ("" or "." or "..")).ToHashSet();
        var expected = Enumerable.Range(0, Count).Select(Name).Concat(Enumerable.Range(0, 40).Select(i => $"new-{i}")).Append("subdir")
            .Where(n => n != Name(7) && n != Name(Count - 1)).ToHashSet();
        Assert.That(names, Is.EquivalentTo(expected), listing.Length > 3000 ? listing[..3000] : listing);
        Assert.That(names, Does.Contain("new-39").And.Contain("subdir").And.Not.Contain(Name(7)).And.Not.Contain(Name(Count - 1)));
        Assert.That(Oracle.Debugfs(image, "cat /big/new-17"), Is.EqualTo("n17"));

        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.DeleteTree("/big");
            Assert.That(fs.TryStat("/big"), Is.Null);
        }

        Oracle.AssertClean(image, "deleting the whole htree directory");
    }

    [Test]
    public void FragmentedFileGetsDeepExtentTreeAndShrinksBack()
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-frag");
        var source = tmp.File("src");
        Directory.CreateDirectory(source);
        var image = Oracle.MakeImage(tmp, source, "ext4", "-O ^flex_bg", "16M", "1024");
        var random = new Random(5);
        byte[] content;
        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.CreateDirectory("/chips", (UnixFileMode)0x1ED);
            for (var i = 0; i < 1200; i++)
            {
                fs.WriteFile($"/chips/c{i}", new byte[1024], (UnixFileMode)0x1A4);
            }

            for (var i = 0; i < 1200; i += 2)
            {
                fs.Delete($"/chips/c{i}");
            }

            content = new byte[600 * 1024];
            random.NextBytes(content);
            fs.WriteFile("/frag.bin", content, (UnixFileMode)0x1A4);
        }

        Oracle.AssertClean(image, "fragmented write");
        var stat = Oracle.Debugfs(image, "stat /frag.bin");
        Assert.That(stat, Does.Contain("(1):").Or.Contain("(2):"), "extent tree must have index levels: " + stat[..Math.Min(stat.Length, 400)]);
        Assert.That(Oracle.DebugfsBytes(tmp, image, "/frag.bin"), Is.EqualTo(content));

        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.Truncate("/frag.bin", 3000);
            fs.Append("/frag.bin", content.AsSpan(0, 5000));
        }

        Oracle.AssertClean(image, "truncate of fragmented file");
        Assert.That(Oracle.DebugfsBytes(tmp, image, "/frag.bin"), Is.EqualTo(content[..3000].Concat(content[..5000]).ToArray()));
    }

    [TestCase("ext4", "1024")]
    [TestCase("ext3", "4096")]
    public void NoSpaceLeavesFilesystemAndOldContentIntact(string type, string blockSize)
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-full");
        var source = tmp.File("src");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "keep.txt"), "precious\n");
        var image = Oracle.MakeImage(tmp, source, type, "-m 0", "8M", blockSize);
        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            var chunk = new byte[256 * 1024];
            new Random(3).NextBytes(chunk);
            var i = 0;
            var error = Assert.Throws<GuestFileSystemException>(() =>
            {
                for (; i < 1000; i++)
                {
                    fs.WriteFile($"/fill{i}", chunk, (UnixFileMode)0x1A4);
                }
            });
            Assert.That(error!.Code, Is.EqualTo(FsError.NoSpace));
            Assert.That(fs.TryStat($"/fill{i}"), Is.Null, "the failed create must leave no name behind");
            var replace = Assert.Throws<GuestFileSystemException>(() => fs.WriteFile("/keep.txt", new byte[4 * 1024 * 1024], (UnixFileMode)0x1A4));
            Assert.That(replace!.Code, Is.EqualTo(FsError.NoSpace));
            var append = Assert.Throws<GuestFileSystemException>(() => fs.Append("/keep.txt", new byte[4 * 1024 * 1024]));
            Assert.That(append!.Code, Is.EqualTo(FsError.NoSpace));
            using var s = fs.OpenRead("/keep.txt");
            Assert.That(new StreamReader(s).ReadToEnd(), Is.EqualTo("precious\n"));
        }

        Oracle.AssertClean(image, "ENOSPC");
        Assert.That(Oracle.Debugfs(image, "cat /keep.txt"), Is.EqualTo("precious\n"));
    }

    [TestCase("")]
    [TestCase("-O ^metadata_csum,uninit_bg")]
    public void UninitialisedGroupsAreInitialisedOnFirstUse(string options)
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-uninit");
        var source = tmp.File("src");
        Directory.CreateDirectory(source);
        var image = Oracle.MakeImage(tmp, source, "ext4", options + " -N 4096", "48M", "1024");
        var before = ExternalTool.Check("dumpe2fs", image);
        Assert.That(before, Does.Contain("BLOCK_UNINIT").And.Contain("INODE_UNINIT"), "fixture must have uninitialised groups");
        var big = new byte[20 * 1024 * 1024];
        new Random(4).NextBytes(big);
        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.WriteFile("/big.bin", big, (UnixFileMode)0x1A4);
            fs.CreateDirectory("/d", (UnixFileMode)0x1ED);
            for (var i = 0; i < 900; i++)
            {
                fs.WriteFile($"/d/{i}", [(byte)i], (UnixFileMode)0x1A4);
            }
        }

        Oracle.AssertClean(image, "allocation in uninitialised groups");
        var after = ExternalTool.Check("dumpe2fs", image);
        Assert.That(CountOf(after, "INODE_UNINIT"), Is.LessThan(CountOf(before, "INODE_UNINIT")));
        Assert.That(CountOf(after, "BLOCK_UNINIT"), Is.LessThan(CountOf(before, "BLOCK_UNINIT")));
        Assert.That(Oracle.DebugfsBytes(tmp, image, "/big.bin"), Is.EqualTo(big));
        Assert.That(Oracle.DebugfsBytes(tmp, image, "/d/899"), Is.EqualTo(new[] { (byte)(899 & 0xFF) }));
    }

    [Test]
    public void RunningOutOfInodesIsNoSpaceAndLeavesNoTrace()
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-noinodes");
        var source = tmp.File("src");
        Directory.CreateDirectory(source);
        var image = Oracle.MakeImage(tmp, source, "ext4", "-N 64", "8M", "1024");
        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            var created = 0;
            var error = Assert.Throws<GuestFileSystemException>(() =>
            {
                for (; created < 1000; created++)
                {
                    fs.CreateDirectory($"/d{created}", (UnixFileMode)0x1ED);
                }
            });
            Assert.That(error!.Code, Is.EqualTo(FsError.NoSpace));
            Assert.That(created, Is.GreaterThan(10));
            Assert.That(fs.TryStat($"/d{created}"), Is.Null);
            fs.DeleteTree("/d3");
            fs.WriteFile("/after", "ok"u8, (UnixFileMode)0x1A4);
        }

        Oracle.AssertClean(image, "inode exhaustion");
        Assert.That(Oracle.Debugfs(image, "cat /after"), Is.EqualTo("ok"));
    }

    private static int CountOf(string text, string word) => (text.Length - text.Replace(word, "", StringComparison.Ordinal).Length) / word.Length;
}
