using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Lvm.Tests;

/// <summary>Real LVM2 (pvcreate, vgcreate, lvcreate without activation) as the oracle for layout, reads and writes.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LvmOracleTests
{
    private LvmLab _lab = null!;

    [SetUp]
    public void SetUp()
    {
        LvmLab.Require();
        _lab = new LvmLab();
    }

    [TearDown]
    public void TearDown() => _lab?.Dispose();

    /// <summary>Two PVs; a linear LV, a 2-way striped LV (64 KiB stripes), an LV of two segments on two PVs.</summary>
    private void MakeVolumeGroup()
    {
        var a = _lab.AddDisk(48);
        var b = _lab.AddDisk(40);
        _lab.Check("pvcreate", "-y", a, b);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a, b);
        _lab.CreateLv("lin", ["-l", "3"], a);
        _lab.CreateLv("str", ["-l", "8", "-i", "2", "-I", "64k"], a, b);
        _lab.CreateLv("multi", ["-l", "2"], a);
        _lab.CreateLv("gap", ["-l", "1"], a);
        _lab.Check("lvextend", "--driverloaded", "n", "-l", "+3", $"{_lab.VgName}/multi", b);
    }

    /// <summary>Fills every PV's whole data area with random bytes (directly in the image files).</summary>
    private void FillDataAreas(int seed)
    {
        var random = new Random(seed);
        foreach (var row in _lab.Report("pvs", "pv_name,pe_start,pv_pe_count,vg_extent_size"))
        {
            var disk = _lab.Loops.ToList().IndexOf(row[0]);
            var start = LvmLab.Long(row[1]);
            var data = new byte[LvmLab.Long(row[2]) * LvmLab.Long(row[3])];
            random.NextBytes(data);
            using var f = new FileStream(_lab.Images[disk], FileMode.Open, FileAccess.Write);
            f.Position = start;
            f.Write(data);
        }
    }

    private static byte[] Expected(OracleLayout layout, string lv, IReadOnlyList<byte[]> disks)
    {
        var sectors = layout.Sectors(lv);
        var result = new byte[sectors.Count * 512];
        for (var i = 0; i < sectors.Count; i++)
        {
            disks[sectors[i].Disk].AsSpan((int)sectors[i].Offset, 512).CopyTo(result.AsSpan(i * 512));
        }

        return result;
    }

    [Test]
    public void Model_matches_what_lvs_vgs_and_pvs_report()
    {
        MakeVolumeGroup();
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var result = LvmScanner.Scan(devices);
            Assert.That(result.Warnings, Is.Empty);
            var vg = result.VolumeGroups.Single();
            var vgRow = _lab.Report("vgs", "vg_name,vg_uuid,vg_seqno,vg_extent_size", _lab.VgName)[0];
            Assert.That(vg.Name, Is.EqualTo(vgRow[0]));
            Assert.That(vg.Id, Is.EqualTo(vgRow[1]));
            Assert.That(vg.SeqNo, Is.EqualTo(LvmLab.Long(vgRow[2])));
            Assert.That(vg.ExtentSize * 512, Is.EqualTo(LvmLab.Long(vgRow[3])));
            Assert.That(vg.UnsupportedReason, Is.Null);

            foreach (var row in _lab.Report("pvs", "pv_name,pv_uuid,pe_start,pv_pe_count"))
            {
                var pv = vg.PhysicalVolumes.Single(p => p.Id == row[1]);
                Assert.That(pv.Device!.Name, Is.EqualTo(Path.GetFileName(_lab.Images[_lab.Loops.ToList().IndexOf(row[0])])));
                Assert.That(pv.PeStart * 512, Is.EqualTo(LvmLab.Long(row[2])));
                Assert.That(pv.PeCount, Is.EqualTo(LvmLab.Long(row[3])));
                Assert.That(pv.Label!.Uuid, Is.EqualTo(row[1]));
            }

            var lvRows = _lab.Report("lvs", "lv_name,lv_uuid,lv_size,seg_count", _lab.VgName);
            Assert.That(vg.LogicalVolumes.Select(l => l.Name), Is.EquivalentTo(lvRows.Select(r => r[0])));
            foreach (var row in lvRows)
            {
                var lv = vg.FindLogicalVolume(row[0])!;
                Assert.That(lv.Id, Is.EqualTo(row[1]));
                Assert.That(lv.SizeBytes, Is.EqualTo(LvmLab.Long(row[2])));
                Assert.That(lv.Segments, Has.Count.EqualTo((int)LvmLab.Long(row[3])));
                Assert.That(lv.UnsupportedReason, Is.Null, lv.Name);
            }

            Assert.That(vg.FindLogicalVolume("str")!.Segments[0].Stripes, Has.Count.EqualTo(2));
            Assert.That(vg.FindLogicalVolume("str")!.Segments[0].StripeSize * 512, Is.EqualTo(64 * 1024));
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void Reads_linear_striped_and_multi_segment_lvs_byte_for_byte()
    {
        MakeVolumeGroup();
        FillDataAreas(seed: 1);
        var layout = new OracleLayout(_lab);
        var disks = _lab.Images.Select(File.ReadAllBytes).ToList();
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var vg = LvmScanner.Scan(devices).VolumeGroups.Single();
            foreach (var name in new[] { "lin", "str", "multi", "gap" })
            {
                using var lv = vg.OpenLogicalVolume(name);
                Assert.That(lv.Length, Is.EqualTo(layout.SizeOf(name)), name);
                var actual = new byte[lv.Length];
                lv.Read(0, actual);
                Assert.That(actual.AsSpan().SequenceEqual(Expected(layout, name, disks)), Is.True, $"{name} differs from the oracle layout");

                // An unaligned read across stripe and segment boundaries.
                var part = new byte[300_000];
                lv.Read(65_000, part);
                Assert.That(part.AsSpan().SequenceEqual(actual.AsSpan(65_000, part.Length)), Is.True, name);
            }
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void Writes_reach_only_the_lv_extents_and_leave_the_metadata_valid()
    {
        MakeVolumeGroup();
        FillDataAreas(seed: 2);
        var layout = new OracleLayout(_lab);
        var seqBefore = _lab.Report("vgs", "vg_seqno", _lab.VgName)[0][0];
        var before = _lab.Images.Select(File.ReadAllBytes).ToList();
        var random = new Random(3);
        var written = new Dictionary<string, byte[]>();
        var devices = _lab.OpenAll(writable: true);
        try
        {
            var vg = LvmScanner.Scan(devices).VolumeGroups.Single();
            foreach (var name in new[] { "str", "multi" })
            {
                using var lv = vg.OpenLogicalVolume(name);
                Assert.That(lv.CanWrite, Is.True);
                var data = new byte[lv.Length];
                random.NextBytes(data);
                lv.Write(0, data);

                // An unaligned partial rewrite across a stripe boundary.
                var patch = new byte[70_001];
                random.NextBytes(patch);
                lv.Write(60_000, patch);
                patch.CopyTo(data, 60_000);
                lv.Flush();
                written[name] = data;
            }
        }
        finally
        {
            LvmLab.Close(devices);
        }

        // Expected disks: the old bytes, with each written LV's sectors where the oracle layout puts them.
        var expected = before.Select(d => (byte[])d.Clone()).ToList();
        foreach (var (name, data) in written)
        {
            var sectors = layout.Sectors(name);
            for (var i = 0; i < sectors.Count; i++)
            {
                data.AsSpan(i * 512, 512).CopyTo(expected[sectors[i].Disk].AsSpan((int)sectors[i].Offset));
            }
        }

        for (var d = 0; d < expected.Count; d++)
        {
            var actual = File.ReadAllBytes(_lab.Images[d]);
            Assert.That(actual.AsSpan().SequenceEqual(expected[d]), Is.True, $"disk {d} differs outside/inside the written LVs");
        }

        // dd as a second reader: the first sector of every written LV's second segment / stripe.
        foreach (var name in written.Keys)
        {
            var sectors = layout.Sectors(name);
            var probe = sectors.Count / 2;
            var outFile = Path.Combine(Path.GetTempPath(), $"sealer-lvm-dd-{Guid.NewGuid():N}");
            try
            {
                ExternalTool.Check("dd", $"if={_lab.Images[sectors[probe].Disk]}", $"of={outFile}", "bs=512", $"skip={sectors[probe].Offset / 512}", "count=1", "status=none");
                Assert.That(File.ReadAllBytes(outFile), Is.EqualTo(written[name].AsSpan(probe * 512, 512).ToArray()), name);
            }
            finally
            {
                File.Delete(outFile);
            }
        }

        foreach (var loop in _lab.Loops)
        {
            _lab.Check("pvck", loop);
        }

        _lab.Check("vgck", _lab.VgName);
        Assert.That(_lab.Report("vgs", "vg_seqno", _lab.VgName)[0][0], Is.EqualTo(seqBefore));
        Assert.That(_lab.Report("lvs", "lv_name", _lab.VgName).Select(r => r[0]), Is.EquivalentTo(new[] { "lin", "str", "multi", "gap" }));
    }

    [Test]
    public void Ext4_made_on_an_lv_region_reads_back_through_the_lv_device()
    {
        ExternalTool.Require("mke2fs");
        ExternalTool.Require("e2fsck");
        var a = _lab.AddDisk(48);
        _lab.Check("pvcreate", "-y", a);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a);
        _lab.CreateLv("pad", ["-l", "2"]);
        _lab.CreateLv("root", ["-l", "16"]);
        var layout = new OracleLayout(_lab);
        var first = layout.Sectors("root")[0];
        var region = ExternalTool.Check("losetup", "-f", "--show", "--offset", first.Offset.ToString(), "--sizelimit", layout.SizeOf("root").ToString(), a).Trim();
        try
        {
            ExternalTool.Check("mke2fs", "-q", "-F", "-t", "ext4", "-U", "4f1c6e30-7a51-4a3a-9a5e-3c0f2b7d1e11", region);
            ExternalTool.Check("blockdev", "--flushbufs", region);
        }
        finally
        {
            ExternalTool.Run("losetup", "-d", region);
        }

        var devices = _lab.OpenAll(writable: false);
        try
        {
            using var lv = LvmScanner.Scan(devices).VolumeGroups.Single().OpenLogicalVolume("root");
            var super = new byte[1024];
            lv.Read(1024, super);
            Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(super.AsSpan(0x38)), Is.EqualTo(0xEF53), "ext4 superblock magic");
            Assert.That(new Guid(super.AsSpan(0x68, 16), bigEndian: true), Is.EqualTo(Guid.Parse("4f1c6e30-7a51-4a3a-9a5e-3c0f2b7d1e11")));

            // The whole LV copied out through Sealer.Lvm is a clean file system.
            using var tmp = new TempDirectory("sealer-lvm-ext4");
            var copy = tmp.File("root.img");
            var bytes = new byte[lv.Length];
            lv.Read(0, bytes);
            File.WriteAllBytes(copy, bytes);
            var fsck = ExternalTool.Run("e2fsck", "-fn", copy);
            Assert.That(fsck.ExitCode, Is.Zero, fsck.ToString());
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void Metadata_that_wraps_around_the_circular_buffer_is_read()
    {
        var a = _lab.AddDisk(32);
        _lab.Check("pvcreate", "-y", "--metadatasize", "16k", "--dataalignment", "64k", a);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a);
        for (var i = 0; i < 8; i++)
        {
            _lab.CreateLv($"lv{i}", ["-l", "1"]);
        }

        var area = MdaEditor.Areas(_lab.Images[0]).Single();
        var name = "lv0";
        var wrapped = false;
        for (var i = 0; i < 100 && !wrapped; i++)
        {
            var next = name == "lv0" ? "lv0-renamed" : "lv0";
            _lab.Check("lvrename", "--driverloaded", "n", _lab.VgName, name, next);
            name = next;
            var (offset, size, _) = MdaEditor.Locn(_lab.Images[0], area);
            wrapped = offset + size > area.Size;
        }

        Assert.That(wrapped, Is.True, "the metadata text never wrapped around the circular buffer");
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var result = LvmScanner.Scan(devices);
            Assert.That(result.Warnings, Is.Empty);
            var vg = result.VolumeGroups.Single();
            Assert.That(vg.SeqNo, Is.EqualTo(LvmLab.Long(_lab.Report("vgs", "vg_seqno", _lab.VgName)[0][0])));
            Assert.That(vg.LogicalVolumes.Select(l => l.Name), Is.EquivalentTo(_lab.Report("lvs", "lv_name", _lab.VgName).Select(r => r[0])));
            Assert.That(vg.FindLogicalVolume(name), Is.Not.Null);
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void A_pv_without_metadata_and_an_ignored_metadata_area_still_assemble_from_the_other_copies()
    {
        var a = _lab.AddDisk(32);
        var b = _lab.AddDisk(32);
        var c = _lab.AddDisk(32);
        _lab.Check("pvcreate", "-y", a, c);
        _lab.Check("pvcreate", "-y", "--pvmetadatacopies", "0", b);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a, b, c);
        _lab.Check("pvchange", "--metadataignore", "y", c);
        _lab.CreateLv("wide", ["-l", "40"], a, b);
        Assert.That(LvmLab.Long(_lab.Report("pvs", "pv_mda_used_count", c)[0][0]), Is.Zero, "c's metadata area is ignored");
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var result = LvmScanner.Scan(devices);
            Assert.That(result.Warnings, Is.Empty);
            Assert.That(result.OrphanPhysicalVolumes, Is.Empty);
            var vg = result.VolumeGroups.Single();
            Assert.That(vg.MetadataLocation, Does.StartWith("disk0.img"));
            Assert.That(vg.SeqNo, Is.EqualTo(LvmLab.Long(_lab.Report("vgs", "vg_seqno", _lab.VgName)[0][0])));
            using var wide = vg.OpenLogicalVolume("wide");
            Assert.That(wide.Length, Is.EqualTo(40L * 1024 * 1024));
            Assert.That(vg.FindLogicalVolume("wide")!.Segments.SelectMany(s => s.Stripes).Select(s => s.PhysicalVolumeName).Distinct().Count(), Is.EqualTo(2));
        }
        finally
        {
            LvmLab.Close(devices);
        }

        // Only the PV without metadata: nothing names its VG, so it is reported as a PV of no known VG.
        var alone = new List<LvmDevice> { _lab.Open(1, writable: false) };
        try
        {
            var result = LvmScanner.Scan(alone);
            Assert.That(result.VolumeGroups, Is.Empty);
            Assert.That(result.OrphanPhysicalVolumes.Single().Name, Is.EqualTo("disk1.img"));
        }
        finally
        {
            LvmLab.Close(alone);
        }
    }

    [Test]
    public void A_pv_claimed_by_two_vgs_is_an_error()
    {
        var a = _lab.AddDisk(16);
        var b = _lab.AddDisk(16);
        _lab.Check("pvcreate", "-y", a, b);
        _lab.Check("vgcreate", _lab.VgName, a);
        _lab.Check("vgcreate", _lab.VgName + "b", b);
        var aId = _lab.Report("pvs", "pv_uuid", a)[0][0];
        var bId = _lab.Report("pvs", "pv_uuid", b)[0][0];
        MdaEditor.Edit(_lab.Images[1], text => text.Replace(bId, aId, StringComparison.Ordinal));
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var e = Assert.Throws<Sealer.Core.Errors.InvalidImageException>(() => LvmScanner.Scan(devices))!;
            Assert.That(e.Message, Does.Contain($"PV {aId} is claimed by VG {_lab.VgName} and VG {_lab.VgName}b"));
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void The_same_pv_given_twice_is_an_error()
    {
        var a = _lab.AddDisk(16);
        _lab.Check("pvcreate", "-y", a);
        var devices = new List<LvmDevice> { _lab.Open(0, writable: false), _lab.Open(0, writable: false) with { Name = "copy.img" } };
        try
        {
            var e = Assert.Throws<Sealer.Core.Errors.InvalidImageException>(() => LvmScanner.Scan(devices))!;
            Assert.That(e.Message, Does.Contain("copy.img and disk0.img carry the same PV UUID"));
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    [Test]
    public void An_ext4_image_written_through_a_striped_lv_reads_back_and_one_through_a_linear_lv_is_clean_for_e2fsck()
    {
        ExternalTool.Require("mke2fs");
        ExternalTool.Require("e2fsck");
        ExternalTool.Require("debugfs");
        var a = _lab.AddDisk(48);
        var b = _lab.AddDisk(48);
        _lab.Check("pvcreate", "-y", a, b);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a, b);
        _lab.CreateLv("pad", ["-l", "3"], a);
        _lab.CreateLv("lin", ["-l", "16"], a);
        _lab.CreateLv("str", ["-l", "16", "-i", "2", "-I", "128k"], a, b);
        using var tmp = new TempDirectory("sealer-lvm-ext4w");
        var tree = Directory.CreateDirectory(tmp.File("tree")).FullName;
        File.WriteAllText(Path.Combine(tree, "hello.txt"), "written through Sealer.Lvm\n");
        var fs = tmp.File("fs.img");
        ExternalTool.Check("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, fs, "16M");
        var image = File.ReadAllBytes(fs);

        var devices = _lab.OpenAll(writable: true);
        try
        {
            var vg = LvmScanner.Scan(devices).VolumeGroups.Single();
            foreach (var name in new[] { "lin", "str" })
            {
                using var lv = vg.OpenLogicalVolume(name);
                lv.Write(0, image);
                lv.Flush();
                var back = new byte[image.Length];
                lv.Read(0, back);
                Assert.That(back.AsSpan().SequenceEqual(image), Is.True, name);
            }
        }
        finally
        {
            LvmLab.Close(devices);
        }

        // The linear LV is contiguous on its PV: the kernel's loop driver (not Sealer) exposes it to e2fsck and debugfs.
        var layout = new OracleLayout(_lab);
        var region = ExternalTool.Check("losetup", "-f", "--show", "-r", "--offset", layout.Sectors("lin")[0].Offset.ToString(),
            "--sizelimit", layout.SizeOf("lin").ToString(), _lab.Images[0]).Trim();
        try
        {
            var fsck = ExternalTool.Run("e2fsck", "-fn", region);
            Assert.That(fsck.ExitCode, Is.Zero, fsck.ToString());
            Assert.That(ExternalTool.Check("debugfs", "-R", "cat /hello.txt", region), Is.EqualTo("written through Sealer.Lvm\n"));
        }
        finally
        {
            ExternalTool.Run("losetup", "-d", region);
        }

        _lab.Check("vgck", _lab.VgName);
        foreach (var loop in _lab.Loops)
        {
            _lab.Check("pvck", loop);
        }
    }

    [Test]
    public void A_vg_with_a_missing_pv_is_refused_by_name()
    {
        MakeVolumeGroup();
        var devices = new List<LvmDevice> { _lab.Open(0, writable: false) };
        try
        {
            var vg = LvmScanner.Scan(devices).VolumeGroups.Single();
            Assert.That(vg.UnsupportedReason, Does.Contain("partial VG"));
            var e = Assert.Throws<Sealer.Core.Errors.UnsupportedFeatureException>(() => vg.OpenLogicalVolume("lin"));
            Assert.That(e!.Message, Does.Contain("missing"));
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }
}
