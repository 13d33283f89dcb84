using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>The scripted mutation sequence on every filesystem flavour, judged by e2fsck -fn and debugfs rdump.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class MatrixTests
{
    [TestCase("ext2", "", "1024", "12M", TestName = "ext2 1K")]
    [TestCase("ext3", "", "1024", "16M", TestName = "ext3 1K")]
    [TestCase("ext3", "", "4096", "24M", TestName = "ext3 4K")]
    [TestCase("ext4", "-O ^metadata_csum_seed,^orphan_file", "1024", "16M", TestName = "ext4 Debian 12 defaults")]
    [TestCase("ext4", "-O metadata_csum_seed,orphan_file", "1024", "16M", TestName = "ext4 Debian 13 defaults")]
    [TestCase("ext4", "-O ^metadata_csum,uninit_bg", "1024", "16M", TestName = "ext4 uninit_bg crc16")]
    [TestCase("ext4", "-O ^metadata_csum,^64bit,uninit_bg", "1024", "16M", TestName = "ext4 uninit_bg 32-bit descriptors")]
    [TestCase("ext4", "", "4096", "32M", TestName = "ext4 4K")]
    [TestCase("ext4", "-I 128", "1024", "16M", TestName = "ext4 128-byte inodes")]
    [TestCase("ext4", "-O ^64bit", "4096", "32M", TestName = "ext4 without 64bit")]
    [TestCase("ext4", "-O ^has_journal,^flex_bg", "1024", "16M", TestName = "ext4 no journal no flex_bg")]
    [TestCase("ext4", "-O meta_bg,^resize_inode", "1024", "16M", TestName = "ext4 meta_bg")]
    public void ScenarioKeepsFilesystemClean(string type, string options, string blockSize, string size)
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-matrix");
        var source = tmp.File("src");
        var model = TreeBuilder.Build(source);
        var image = Oracle.MakeImage(tmp, source, type, options, size, blockSize);
        model.Dir("/lost+found", 0x1C0);

        // A large attribute lives in an xattr block; the scenario's rename over a4.txt must release it.
        var value = tmp.File("xattr-value");
        File.WriteAllBytes(value, Enumerable.Repeat((byte)'v', 600).ToArray());
        ExternalTool.Check("debugfs", "-w", "-R", $"ea_set -f {value} /dir1/a4.txt user.big", image);
        Assert.That(Oracle.Debugfs(image, "stat /dir1/a4.txt"), Does.Match("File ACL: [1-9]"));
        Oracle.AssertClean(image, "ea_set");

        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            Oracle.AssertDriverMatches(fs, model);
            Scenario.Run(fs, model);
        }

        Oracle.AssertClean(image, "scenario");
        Oracle.AssertTreeMatches(tmp, image, model);
        using (var device = new FileBlockDevice(image, writable: false))
        using (var fs = Ext4FileSystem.Open(device, writable: false))
        {
            Oracle.AssertDriverMatches(fs, model);
            var st = fs.TryStat("/dir1/big.bin")!.Value;
            Assert.That((st.AccessTime, st.ModifiedTime), Is.EqualTo((1_000_000_000L, 1_500_000_000L)));
        }
    }
}
