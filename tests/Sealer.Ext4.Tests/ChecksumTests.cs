using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>
/// Issue 8 item 6: every metadata_csum checksum the file system carries is verified on what is read (directory leaf
/// tails, htree dx_tails, block and inode bitmaps, xattr blocks, besides the superblock, descriptors, inodes and
/// extent blocks checked before); a mismatch refuses the operation with a one-line error and nothing is written.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class ChecksumTests
{
    private const int BlockSize = 1024;

    [Test]
    public void FuzzedEtcDirectoryBlock_IsRefused([Values(0, 1, 2, 3)] int use)
    {
        using var img = HostileImage.Make();
        var block = img.Bmap("/etc", 0);

        // Byte 30 lies in the name of the third entry ("passwd" or "hostname"): a plausible one-bit rot.
        Flip(img.Path, (block * BlockSize) + 30);
        img.AssertRefused(fs =>
        {
            switch (use)
            {
                case 0:
                    fs.ReadDirectory("/etc");
                    break;
                case 1:
                    fs.WriteFile("/etc/machine-id", "x\n"u8, (UnixFileMode)0x1A4);
                    break;
                case 2:
                    fs.Delete("/etc/hostname");
                    break;
                default:
                    fs.TryStat("/etc/passwd");
                    break;
            }
        }, $"directory block {block}");
    }

    [Test]
    public void FuzzedHtreeIndex_IsRefused()
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-htree");
        var src = tmp.File("src");
        Directory.CreateDirectory(Path.Combine(src, "many"));
        for (var i = 0; i < 400; i++)
        {
            File.WriteAllText(Path.Combine(src, "many", $"a-rather-long-file-name-{i:D4}"), "x");
        }

        var image = Oracle.MakeImage(tmp, src, "ext4", "", "16M", "1024");
        ExternalTool.Run("e2fsck", "-fyD", image);
        Oracle.AssertClean(image, "e2fsck -D");
        Assert.That(Oracle.Debugfs(image, "stat /many"), Does.Contain("Flags: 0x81000"), "indexed directory");
        var root = long.Parse(Oracle.Debugfs(image, "bmap /many 0").Trim());

        // Offset 0x2c: the first dx_entry's block number in the dx root.
        Flip(image, (root * BlockSize) + 0x2C);
        HostileImage.AssertRefusedAt(image, fs => fs.WriteFile("/many/new", "y"u8, (UnixFileMode)0x1A4), "dx_tail");
        HostileImage.AssertRefusedAt(image, fs => fs.ReadDirectory("/many"), "dx_tail");
    }

    [Test]
    public void FuzzedBlockBitmap_RefusesAllocation()
    {
        using var img = HostileImage.Make();
        var bitmap = img.Group(0).BlockBitmap;
        Flip(img.Path, (bitmap * BlockSize) + 1000);
        img.AssertRefused(fs => fs.WriteFile("/etc/new", new byte[3000], (UnixFileMode)0x1A4), "block bitmap of group 0");
        img.AssertRefused(fs => fs.Delete("/etc/passwd"), "block bitmap of group 0");
    }

    [Test]
    public void FuzzedInodeBitmap_RefusesAllocation()
    {
        using var img = HostileImage.Make();
        var bitmap = img.Group(0).InodeBitmap;
        Flip(img.Path, (bitmap * BlockSize) + 200);
        img.AssertRefused(fs => fs.CreateDirectory("/etc/new", (UnixFileMode)0x1ED), "inode bitmap of group 0");
    }

    [Test]
    public void FuzzedXattrBlock_IsRefused()
    {
        using var img = HostileImage.Make();
        var value = img.Tmp.File("value");
        File.WriteAllText(value, new string('v', 600));
        img.Damage($"ea_set -f {value} /var/log/app.log user.big");
        var acl = long.Parse(FileAcl().Match(Oracle.Debugfs(img.Path, "stat /var/log/app.log")).Groups[1].Value);
        Assert.That(acl, Is.GreaterThan(0), "the value went to an xattr block");
        Flip(img.Path, (acl * BlockSize) + 900);
        img.AssertRefused(fs => fs.Delete("/var/log/app.log"), $"xattr block {acl}");
    }

    private static void Flip(string path, long offset)
    {
        using var f = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        var b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0x01));
    }

    [GeneratedRegex(@"File ACL: (\d+)")]
    private static partial Regex FileAcl();
}
