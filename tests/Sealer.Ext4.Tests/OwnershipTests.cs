using System.Diagnostics;
using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.Core.IO;

namespace Sealer.Ext4.Tests;

/// <summary>
/// Issue 8 item 3: what a seal frees, allocates or rewrites is proven free or owned as it thinks (one scan of the
/// used inodes); before the fix a log file cross-linked with /etc/passwd, or a bitmap calling a used block or inode
/// free, made the seal overwrite /etc/passwd and exit 0.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OwnershipTests
{
    [Test]
    public void LogCrossLinkedWithPasswd_IsNotFreedOrRewritten([Values("ext4", "ext3")] string type, [Values(0, 1, 2)] int use)
    {
        using var img = HostileImage.Make(type);
        var passwd = img.Bmap("/etc/passwd", 0);

        // ext4: i_block[5] is the first extent's start; ext3: i_block[0] the first direct block.
        img.Damage($"sif /var/log/app.log block[{(type == "ext4" ? 5 : 0)}] {passwd}");
        img.AssertRefused(fs =>
        {
            switch (use)
            {
                case 0:
                    fs.Delete("/var/log/app.log");
                    break;
                case 1:
                    fs.Truncate("/var/log/app.log", 0);
                    break;
                default:
                    fs.WriteFile("/var/log/app.log", "rotated\n"u8, (UnixFileMode)0x1A4);
                    break;
            }
        }, "cross-linked");
    }

    [Test]
    public void CrossLinkElsewhere_OtherFilesStillSealAndNothingNewForE2fsck()
    {
        using var img = HostileImage.Make();

        // The 20-block extent now starts on /etc/passwd and covers the blocks after it (hostname, /var, /var/log...).
        img.Damage($"sif /var/log/app.log block[5] {img.Bmap("/etc/passwd", 0)}");
        img.Model.File("/var/log/app.log", Oracle.DebugfsBytes(img.Tmp, img.Path, "/var/log/app.log"));
        img.Model.Nodes.Remove("/data/keep.bin");
        img.Model.File("/var/log/sub/x.log", []);
        img.Model.File("/data/new", new byte[7000]);
        var sealedOk = img.SealRefusesOrKeepsOthers(fs =>
        {
            fs.Delete("/data/keep.bin");
            fs.Truncate("/var/log/sub/x.log", 0);
            fs.WriteFile("/data/new", new byte[7000], (UnixFileMode)0x1A4);
        });
        Assert.That(sealedOk, Is.True, "changes that touch no cross-linked block go through");
        Assert.That(Oracle.DebugfsBytes(img.Tmp, img.Path, "/etc/passwd"), Is.EqualTo(System.Text.Encoding.ASCII.GetBytes(HostileImage.PasswdText)));
    }

    [Test]
    public void UsedBlockMarkedFree_IsNotAllocated([Values("ext4", "ext3")] string type)
    {
        using var img = HostileImage.Make(type);
        var passwd = img.Bmap("/etc/passwd", 0);
        img.Damage($"freeb {passwd} 3");
        var inode = img.InodeOf("/etc/passwd");
        img.AssertRefused(fs => fs.WriteFile("/var/log/new.log", new byte[5000], (UnixFileMode)0x1A4), $"used by inode {inode}");
        img.AssertRefused(fs => fs.CreateDirectory("/etc/new", (UnixFileMode)0x1ED), $"used by inode {inode}");
    }

    [Test]
    public void UsedInodeMarkedFree_IsNotAllocated([Values("ext4", "ext3")] string type)
    {
        using var img = HostileImage.Make(type);
        var inode = img.InodeOf("/etc/passwd");

        // Free every inode from passwd's up, so whichever the allocator picks first is one in use.
        foreach (var path in new[] { "/etc/passwd", "/etc/hostname", "/var", "/var/log", "/var/log/app.log", "/var/log/old.log" })
        {
            img.Damage($"freei {path}");
        }

        img.AssertRefused(fs => fs.WriteFile("/data/new", "x"u8, (UnixFileMode)0x1A4), "in use");
        Assert.That(inode, Is.GreaterThan(0));
    }

    [Test]
    public void FreedBlockAlreadyFreeInTheBitmap_IsRefused()
    {
        using var img = HostileImage.Make();
        img.Damage($"freeb {img.Bmap("/var/log/app.log", 3)}");
        img.AssertRefused(fs => fs.Delete("/var/log/app.log"), "already free in the bitmap");
    }

    [Test]
    public void DirectoryWithImpossibleLinkCount_IsNotChanged([Values(0, 1)] int use)
    {
        using var img = HostileImage.Make();
        img.Damage("sif /var/log links_count 65000");
        img.AssertRefused(fs =>
        {
            if (use == 0)
            {
                fs.CreateDirectory("/var/log/journal", (UnixFileMode)0x1ED);
            }
            else
            {
                fs.DeleteTree("/var/log/sub");
            }
        }, "link count 65000 but 1 subdirectories");
    }

    [Test]
    public void DirectoryWithOverflowedLinkCount_StillSealsCleanly()
    {
        using var img = HostileImage.Make();

        // dir_nlink: a count of 1 means "too many to count"; e2fsck -fn reports it for a small directory (before and after).
        img.Damage("sif /var/log links_count 1");
        img.Model.Dir("/var/log/journal");
        img.Model.RemoveTree("/var/log/sub");
        var sealedOk = img.SealRefusesOrKeepsOthers(fs =>
        {
            fs.CreateDirectory("/var/log/journal", (UnixFileMode)0x1ED);
            fs.DeleteTree("/var/log/sub");
        });
        Assert.That(sealedOk, Is.True);
    }

    [Test]
    public void ScanCost_IsReported()
    {
        using var img = HostileImage.Make();
        var bytes = File.ReadAllBytes(img.Path);
        using var fs = Ext4FileSystem.Open(new MemoryBlockDevice(bytes), writable: true);
        var watch = Stopwatch.StartNew();
        fs.Delete("/var/log/app.log");
        var (inodes, time) = fs.OwnershipScanCost;
        TestContext.Out.WriteLine($"ownership scan: {inodes} inodes in {time.TotalMilliseconds:F1} ms (delete took {watch.Elapsed.TotalMilliseconds:F1} ms)");
        Assert.That(inodes, Is.GreaterThanOrEqualTo(img.Model.Nodes.Count), "every used inode is scanned");
    }
}
