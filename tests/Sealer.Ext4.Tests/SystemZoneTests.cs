using NUnit.Framework;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4.Tests;

/// <summary>
/// Issue 8 item 2: a file, map, directory or xattr pointer into the file system's own metadata (the kernel's system
/// zone) is refused before anything is freed or written; before the fix the seal overwrote the superblock or wrote a
/// file into the journal and exited 0.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SystemZoneTests
{
    public enum Target
    {
        PrimarySuperblock,
        BackupSuperblock,
        GroupDescriptors,
        ReservedGdt,
        BlockBitmap,
        InodeBitmap,
        InodeTable,
        Journal,
        PastTheEnd,
    }

    public enum Use
    {
        Delete,
        Rewrite,
        Truncate,
        Append,
        Read,
    }

    private static long Locate(HostileImage img, Target target)
    {
        var g0 = img.Group(0);
        return target switch
        {
            Target.PrimarySuperblock => g0.Superblock,
            Target.BackupSuperblock => img.Group(1).Superblock,
            Target.GroupDescriptors => g0.Gdt,
            Target.ReservedGdt => g0.ReservedGdt,
            Target.BlockBitmap => g0.BlockBitmap,
            Target.InodeBitmap => g0.InodeBitmap,
            Target.InodeTable => g0.InodeTable + 2,
            Target.Journal => img.Bmap("<8>", 20),
            _ => img.BlocksCount + 10,
        };
    }

    private static string Mentions(Target target) => target switch
    {
        Target.PrimarySuperblock or Target.BackupSuperblock => "superblock",
        Target.GroupDescriptors or Target.ReservedGdt => "group descriptor table",
        Target.BlockBitmap => "block bitmap",
        Target.InodeBitmap => "inode bitmap",
        Target.InodeTable => "inode table",
        Target.Journal => "journal",
        _ => "outside the filesystem",
    };

    private static void Apply(Ext4FileSystem fs, Use use, string path)
    {
        switch (use)
        {
            case Use.Delete:
                fs.Delete(path);
                break;
            case Use.Rewrite:
                fs.WriteFile(path, "new content\n"u8, (UnixFileMode)0x1A4);
                break;
            case Use.Truncate:
                fs.Truncate(path, 0);
                break;
            case Use.Append:
                fs.Append(path, new byte[5000]);
                break;
            default:
                using (var s = fs.OpenRead(path))
                {
                    s.CopyTo(Stream.Null);
                }

                break;
        }
    }

    [Test]
    public void ExtentPointingAtMetadata_IsRefused(
        [Values] Target target,
        [Values(Use.Delete, Use.Rewrite, Use.Truncate)] Use use)
    {
        using var img = HostileImage.Make();
        var block = Locate(img, target);
        Assert.That(block, Is.GreaterThanOrEqualTo(0), $"{target} located");

        // i_block[5] is ee_start_lo of the first extent in the inode's root node.
        img.Damage($"sif /var/log/app.log block[5] {block}");
        var error = img.AssertRefused(fs => Apply(fs, use, "/var/log/app.log"), Mentions(target));
        Assert.That(error.Message, Does.Contain($"inode {img.InodeOf("/var/log/app.log")}"));
    }

    [Test]
    public void ReadingSuchAFile_IsRefusedToo([Values(Target.PrimarySuperblock, Target.Journal)] Target target)
    {
        using var img = HostileImage.Make();
        img.Damage($"sif /var/log/app.log block[5] {Locate(img, target)}");
        img.AssertRefused(fs => Apply(fs, Use.Read, "/var/log/app.log"), Mentions(target));
    }

    [Test]
    public void IndirectBlockPointerAtMetadata_IsRefused(
        [Values("ext2", "ext3")] string type,
        [Values(Target.PrimarySuperblock, Target.GroupDescriptors, Target.InodeTable, Target.BlockBitmap)] Target target,
        [Values(Use.Delete, Use.Append)] Use use)
    {
        using var img = HostileImage.Make(type);

        // block[IND] is the single-indirect block of a 20 000-byte file in 1 KiB blocks; block[1] a direct block.
        img.Damage($"sif /var/log/app.log block[{(use == Use.Delete ? "IND" : "1")}] {Locate(img, target)}");
        img.AssertRefused(fs => Apply(fs, use, "/var/log/app.log"), Mentions(target));
    }

    [Test]
    public void DirectoryBlockOnTheJournal_IsRefused()
    {
        using var img = HostileImage.Make();
        img.Damage($"sif /var/log block[5] {Locate(img, Target.Journal)}");
        img.AssertRefused(fs => fs.WriteFile("/var/log/new.log", "x"u8, (UnixFileMode)0x1A4), "journal");
    }

    [Test]
    public void XattrBlockOnMetadataOrPastTheEnd_IsRefused([Values(Target.GroupDescriptors, Target.InodeTable, Target.PastTheEnd)] Target target)
    {
        using var img = HostileImage.Make();
        img.Damage($"sif /var/log/app.log file_acl {Locate(img, target)}");
        img.AssertRefused(fs => fs.Delete("/var/log/app.log"), "xattr block");
        img.AssertRefused(fs => fs.Truncate("/var/log/app.log", 10), "xattr block");
    }

    [Test]
    public void HealthyImage_StillSeals()
    {
        using var img = HostileImage.Make();
        img.Model.Nodes.Remove("/var/log/app.log");
        img.Model.File("/var/log/old.log", []);
        img.Model.File("/etc/hostname", "sealed\n"u8.ToArray());
        var sealedOk = img.SealRefusesOrKeepsOthers(fs =>
        {
            fs.Delete("/var/log/app.log");
            fs.Truncate("/var/log/old.log", 0);
            fs.WriteFile("/etc/hostname", "sealed\n"u8, (UnixFileMode)0x1A4);
        });
        Assert.That(sealedOk, Is.True, "a healthy image is sealed, not refused");
    }
}
