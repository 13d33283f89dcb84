using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>
/// A device node's i_block holds its device number, not block pointers (a debootstrapped /dev/console, c 5 1, reads
/// as "block 1281"). Before the fix the ownership scan and the system zone read it as a block map, and a real Debian
/// image could not be sealed ("logical block 0 of inode 16 points to block 1281, which is the inode table").
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DeviceInodeTests
{
    [Test]
    public void DeviceNodes_AreNotBlockMaps_ASealThatFreesBlocksGoesThrough([Values("ext4", "ext3")] string type)
    {
        using var img = HostileImage.Make(type);

        // Device numbers that, read as a block map, land on the superblock, the descriptors and the inode tables.
        // debugfs's mknod names the entry in its working directory, the root.
        img.Damage("mknod zero c 0 1", "mknod mem c 1 1", "mknod console c 5 1", "mknod sda1 b 8 1", "mknod initctl p");
        var before = img.FsckProblems();
        using (var device = new FileBlockDevice(img.Path, writable: true))
        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.Delete("/data/keep.bin");
            fs.Delete("/mem");
            fs.Flush();
        }

        Assert.That(img.FsckProblems().Except(before), Is.Empty, "no new e2fsck problem");
        Assert.That(Oracle.Debugfs(img.Path, "stat /console"), Does.Contain("character special").And.Contain("05:01"));
        Assert.That(Oracle.Debugfs(img.Path, "stat /sda1"), Does.Contain("block special"));
        Assert.That(Oracle.Debugfs(img.Path, "ls -l /"), Does.Not.Contain(" mem\n").And.Contain(" zero\n").And.Contain(" initctl\n"));
    }
}
