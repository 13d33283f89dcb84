using System.Security.Cryptography;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Issue 7, item 12: storage Sealer does not open is named, never "no operating system found (looked at: none)".
/// Fixtures are made by the real tools (mkfs.xfs, lvm pvcreate/vgcreate on a loop device, cryptsetup, mkfs.btrfs,
/// mkswap, mkfs.vfat); `blkid -p` is the oracle for the type, UUID and label Sealer reads from each signature.
/// Debian packages: xfsprogs lvm2 cryptsetup-bin btrfs-progs dosfstools (and util-linux for losetup, blkid).
/// </summary>
[TestFixture]
public sealed class UnsupportedStorageTests
{
    private const string LinuxFsType = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
    private const long MiB = 1024 * 1024;

    [Test]
    public void WholeDiskXfs_IsRefusedByName_AndNotWritten()
    {
        using var temp = new TempDirectory();
        var image = Xfs(temp, "whole");
        var before = DiskOracle.Sha256(image);

        foreach (var verb in new[] { "inspect", "check", "seal" })
        {
            var r = SealerProcess.Run(verb, "-a", image);
            Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
            Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
            Assert.That(r.StdErr, Does.Contain("/dev/sda (whole disk): xfs: not supported"));
            Assert.That(r.StdErr, Does.Contain("looked at: /dev/sda xfs"));
        }

        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void XfsBootAndLvmRoot_NamesBothPartitionsAndTheVolumeGroup()
    {
        using var temp = new TempDirectory();
        var image = Gpt(temp, "rhel", Xfs(temp, "boot"), LvmPhysicalVolume(temp, "rhel"));
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run("seal", "-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.StdErr, Does.Contain("partition 1: xfs: not supported"));
        Assert.That(r.StdErr, Does.Contain("partition 2: LVM2 physical volume (volume group rhel): not supported"));
        Assert.That(r.StdErr, Does.Contain("looked at: /dev/sda1 xfs, /dev/sda2 LVM2_member"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void LuksBtrfsSwapAndVfat_AreEachNamed()
    {
        using var temp = new TempDirectory();
        var image = Gpt(temp, "mixed", Luks(temp), Btrfs(temp), Swap(temp), Vfat(temp), Blank(temp));

        var r = SealerProcess.Run("inspect", "-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
        Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
        Assert.That(r.StdErr, Does.Contain("partition 1: LUKS2 encrypted volume: not supported"));
        Assert.That(r.StdErr, Does.Contain("partition 2: btrfs: not supported"));
        Assert.That(r.StdErr, Does.Contain("partition 3: swap space: not supported"));
        Assert.That(r.StdErr, Does.Contain("partition 4: vfat (FAT16): not supported").Or.Contain("partition 4: vfat (FAT12): not supported"));
        Assert.That(r.StdErr, Does.Contain("looked at: /dev/sda1 crypto_LUKS, /dev/sda2 btrfs, /dev/sda3 swap, /dev/sda4 vfat, /dev/sda5 unknown"));
    }

    [Test]
    public void Ext4RootBesideUnsupportedPartitions_IsSealed_InspectShowsEachType_AsBlkidDoes_AndTheOthersAreNotWritten()
    {
        using var temp = new TempDirectory();
        var xfs = Xfs(temp, "data");
        var xfsUuid = Blkid(xfs, "UUID");
        var tree = temp.File("rootfs");
        ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-guest-tree.sh"), "fedora40", tree);
        Directory.CreateDirectory(Path.Combine(tree, "data"));
        File.AppendAllText(Path.Combine(tree, "etc", "fstab"), $"UUID={xfsUuid} /data xfs defaults 0 0\n");
        var root = temp.File("root.ext4");
        ExternalTool.Check("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, root, "48M");
        var parts = new[] { root, xfs, Swap(temp), LvmPhysicalVolume(temp, "rhel"), Luks(temp), Btrfs(temp), Vfat(temp) };
        var image = Gpt(temp, "fedora-mixed", parts);
        var untouchedBefore = PartitionHashes(image, parts).Skip(1).ToList();

        var text = SealerProcess.RunOk("inspect", "-a", image).StdOut;
        Assert.That(text, Does.Match(@"/dev/sda2 .* xfs .*\(xfs: not supported\)"));
        Assert.That(text, Does.Match(@"/dev/sda4 .* LVM2_member .*\(LVM2 physical volume \(volume group rhel\): not supported\)"));
        Assert.That(text, Does.Contain($"/data): not mounted: xfs is not supported"));

        var json = JsonNode.Parse(SealerProcess.RunOk("inspect", "-a", image, "--json").StdOut)!;
        var fileSystems = json["partitions"]!.AsArray().Select(p => p!["fileSystem"]!).ToList();
        Assert.That(fileSystems.Select(f => f["supported"]!.GetValue<bool>()), Is.EqualTo(new[] { true, false, false, false, false, false, false }));
        for (var i = 0; i < parts.Length; i++)
        {
            var fs = fileSystems[i];
            Assert.That(fs["type"]!.GetValue<string>(), Is.EqualTo(Blkid(parts[i], "TYPE")), $"partition {i + 1} type, as blkid -p says");
            Assert.That(fs["uuid"]?.GetValue<string>() ?? string.Empty, Is.EqualTo(Blkid(parts[i], "UUID")), $"partition {i + 1} UUID, as blkid -p says");
            var label = parts[i].EndsWith("vfat.raw", StringComparison.Ordinal) ? Blkid(parts[i], "LABEL_FATBOOT") : Blkid(parts[i], "LABEL");
            Assert.That(fs["label"]?.GetValue<string>() ?? string.Empty, Is.EqualTo(label), $"partition {i + 1} label, as blkid -p says");
        }

        Assert.That(fileSystems[3]["detail"]!.GetValue<string>(), Is.EqualTo("LVM2 physical volume (volume group rhel)"));

        SealerProcess.RunOk("seal", "-a", image);

        Assert.That(PartitionHashes(image, parts).Skip(1), Is.EqualTo(untouchedBefore), "partitions Sealer does not open are never written");
        var sealedRoot = DiskOracle.ExtractFileSystems(image, temp).Single();
        DiskOracle.E2fsckClean(sealedRoot);
        Assert.That(DiskOracle.Cat(sealedRoot, "/etc/machine-id"), Is.Empty);
    }

    private static string Blkid(string device, string tag) =>
        ExternalTool.Run("blkid", "-p", "-s", tag, "-o", "value", device).StdOut.Trim();

    /// <summary>A GPT disk holding the given partition images in order, each at a MiB boundary, all typed "Linux
    /// file system": Sealer must recognise them by their content, not by their type.</summary>
    private static string Gpt(TempDirectory temp, string name, params string[] partitions)
    {
        ExternalTool.Require("sfdisk");
        var image = temp.File(name + ".raw");
        var script = "label: gpt\n";
        var offset = MiB;
        foreach (var part in partitions)
        {
            var size = (new FileInfo(part).Length + MiB - 1) / MiB * MiB;
            script += $"start={offset / 512}, size={size / 512}, type={LinuxFsType}\n";
            offset += size;
        }

        using (var f = File.Create(image))
        {
            f.SetLength(offset + MiB);
        }

        var r = ExternalTool.Run("sfdisk", ["-q", image], script);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        offset = MiB;
        foreach (var part in partitions)
        {
            ExternalTool.Check("dd", $"if={part}", $"of={image}", "bs=1M", $"seek={offset / MiB}", "conv=notrunc,sparse", "status=none");
            offset += (new FileInfo(part).Length + MiB - 1) / MiB * MiB;
        }

        return image;
    }

    private static List<string> PartitionHashes(string image, string[] partitions)
    {
        var hashes = new List<string>();
        using var disk = File.OpenRead(image);
        var offset = MiB;
        foreach (var part in partitions)
        {
            var length = new FileInfo(part).Length;
            var buffer = new byte[length];
            disk.Position = offset;
            disk.ReadExactly(buffer);
            hashes.Add(Convert.ToHexString(SHA256.HashData(buffer)));
            offset += (length + MiB - 1) / MiB * MiB;
        }

        return hashes;
    }

    private static string Sized(TempDirectory temp, string name, long bytes)
    {
        var path = temp.File(name);
        using var f = File.Create(path);
        f.SetLength(bytes);
        return path;
    }

    /// <summary>mkfs.xfs refuses less than 300 MiB; the file is sparse.</summary>
    private static string Xfs(TempDirectory temp, string label)
    {
        ExternalTool.Require("mkfs.xfs");
        var path = Sized(temp, $"{label}-xfs.raw", 300 * MiB);
        ExternalTool.Check("mkfs.xfs", "-q", "-L", label, path);
        return path;
    }

    private static string Btrfs(TempDirectory temp)
    {
        ExternalTool.Require("mkfs.btrfs");
        var path = Sized(temp, "btrfs.raw", 128 * MiB);
        ExternalTool.Check("mkfs.btrfs", "-q", "-L", "pool", path);
        return path;
    }

    private static string Swap(TempDirectory temp)
    {
        ExternalTool.Require("mkswap");
        var path = Sized(temp, "swap.raw", 8 * MiB);
        ExternalTool.Check("mkswap", "-L", "swap0", path);
        return path;
    }

    private static string Vfat(TempDirectory temp)
    {
        ExternalTool.Require("mkfs.vfat");
        var path = Sized(temp, "vfat.raw", 16 * MiB);
        ExternalTool.Check("mkfs.vfat", "-n", "EFI", path);
        return path;
    }

    private static string Blank(TempDirectory temp) => Sized(temp, "blank.raw", MiB);

    private static string Luks(TempDirectory temp)
    {
        ExternalTool.Require("cryptsetup");
        var path = Sized(temp, "luks.raw", 32 * MiB);
        var key = temp.File("luks.key");
        File.WriteAllText(key, "not a secret");
        ExternalTool.Check("cryptsetup", "luksFormat", "-q", "--type", "luks2", "--label", "secret", "--pbkdf", "pbkdf2",
            "--pbkdf-force-iterations", "1000", "--key-file", key, path);
        return path;
    }

    /// <summary>pvcreate and vgcreate need a block device: a loop device over a file, used by these commands only
    /// (--devices), with no metadata backup on the host and no udev; nothing is activated.</summary>
    private static string LvmPhysicalVolume(TempDirectory temp, string volumeGroup)
    {
        ExternalTool.Require("lvm");
        ExternalTool.Require("losetup");
        var path = Sized(temp, $"pv-{volumeGroup}.raw", 8 * MiB);
        var attach = ExternalTool.Run("losetup", "-f", "--show", path);
        if (attach.ExitCode != 0)
        {
            Assert.Ignore($"no loop device for the LVM fixture (needs root): {attach.StdErr.Trim()}");
        }

        var loop = attach.StdOut.Trim();
        const string Config = "backup { backup=0 archive=0 } devices { obtain_device_list_from_udev=0 } activation { udev_sync=0 udev_rules=0 }";
        try
        {
            ExternalTool.Check("lvm", "pvcreate", "-q", "--devices", loop, "--config", Config, loop);
            ExternalTool.Check("lvm", "vgcreate", "-q", "--devices", loop, "--config", Config, volumeGroup, loop);
        }
        finally
        {
            ExternalTool.Run("losetup", "-d", loop);
        }

        return path;
    }
}
