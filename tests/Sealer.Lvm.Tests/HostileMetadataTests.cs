using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.Core.Errors;

namespace Sealer.Lvm.Tests;

/// <summary>
/// A real one-PV VG made by LVM, then damaged or edited on purpose (with valid checksums, so the damage reaches the
/// parser and the model checks): every case ends in a one-line error or a refusal by name, quickly.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileMetadataTests
{
    private LvmLab _lab = null!;
    private byte[] _pristine = null!;

    private string Image => _lab.Images[0];

    [OneTimeSetUp]
    public void OneTimeSetUp()
    {
        LvmLab.Require();
        _lab = new LvmLab();
        var a = _lab.AddDisk(24);
        _lab.Check("pvcreate", "-y", "--pvmetadatacopies", "2", a);
        _lab.Check("vgcreate", "-s", "1m", _lab.VgName, a);
        _lab.CreateLv("a", ["-l", "2"]);
        _lab.CreateLv("b", ["-l", "2"]);
        _pristine = File.ReadAllBytes(Image);
    }

    [OneTimeTearDown]
    public void OneTimeTearDown() => _lab?.Dispose();

    [SetUp]
    public void SetUp() => File.WriteAllBytes(Image, _pristine);

    private LvmScanResult Scan()
    {
        var devices = _lab.OpenAll(writable: false);
        try
        {
            return LvmScanner.Scan(devices);
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }

    private T Fails<T>(string expected)
        where T : Exception
    {
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<T>(() => Scan())!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(e.Message, Does.Contain(expected));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        TestContext.Out.WriteLine(e.Message);
        return e;
    }

    /// <summary>Edits the section of LV <paramref name="lv"/> (up to the next LV) in every copy.</summary>
    private void EditLv(string lv, string pattern, string replacement) =>
        MdaEditor.Edit(Image, text =>
        {
            var start = Regex.Match(text, $@"\n\s*{lv} {{").Index;
            Assert.That(start, Is.GreaterThan(0), $"LV {lv} not in the text");
            var head = text[..start];
            var tail = text[start..];
            var edited = new Regex(pattern).Replace(tail, replacement, 1);
            Assert.That(edited, Is.Not.EqualTo(tail), $"pattern {pattern} not found");
            return head + edited;
        });

    private void EditVg(string pattern, string replacement) =>
        MdaEditor.Edit(Image, text =>
        {
            var edited = new Regex(pattern).Replace(text, replacement, 1);
            Assert.That(edited, Is.Not.EqualTo(text), $"pattern {pattern} not found");
            return edited;
        });

    [Test]
    public void Pristine_metadata_opens_and_both_copies_are_read()
    {
        var result = Scan();
        Assert.That(result.Warnings, Is.Empty);
        Assert.That(MdaEditor.Areas(Image), Has.Count.EqualTo(2));
        var device = _lab.Open(0, writable: false);
        try
        {
            Assert.That(LvmScanner.HasLabel(device.Device), Is.True);
        }
        finally
        {
            device.Device.Dispose();
        }

        Assert.That(result.VolumeGroups.Single().LogicalVolumes.Select(l => l.Name), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void A_corrupt_label_crc_is_an_error_naming_the_sector()
    {
        MdaEditor.FlipByte(Image, 512 + 40);
        var e = Fails<InvalidImageException>("PV label in sector 1 (offset 0x200): checksum");
        Assert.That(e.Message, Does.Contain("disk0.img"));
    }

    [Test]
    public void A_copy_with_a_bad_text_checksum_is_skipped_with_a_warning()
    {
        var areas = MdaEditor.Areas(Image);
        var (offset, size, _) = MdaEditor.Locn(Image, areas[0]);
        MdaEditor.FlipByte(Image, areas[0].Offset + offset + (size / 2));
        var result = Scan();
        Assert.That(result.Warnings, Has.Count.EqualTo(1));
        Assert.That(result.Warnings[0], Does.Contain($"metadata area 0 (offset 0x{areas[0].Offset:x})").And.Contain("checksum"));
        Assert.That(result.VolumeGroups.Single().MetadataLocation, Does.Contain("metadata area 1"));
    }

    [Test]
    public void A_copy_with_a_bad_header_checksum_is_skipped_with_a_warning()
    {
        var areas = MdaEditor.Areas(Image);
        MdaEditor.FlipByte(Image, areas[1].Offset + 100);
        var result = Scan();
        Assert.That(result.Warnings.Single(), Does.Contain("metadata area 1").And.Contain("mda_header checksum"));
        Assert.That(result.VolumeGroups.Single().MetadataLocation, Does.Contain("metadata area 0"));
    }

    [Test]
    public void No_valid_copy_is_an_error_naming_each_copy_and_offset()
    {
        foreach (var area in MdaEditor.Areas(Image))
        {
            var (offset, size, _) = MdaEditor.Locn(Image, area);
            MdaEditor.FlipByte(Image, area.Offset + offset + (size / 3));
        }

        var areas = MdaEditor.Areas(Image);
        var e = Fails<InvalidImageException>("no valid metadata copy");
        Assert.That(e.Message, Does.Contain($"offset 0x{areas[0].Offset:x}").And.Contain($"offset 0x{areas[1].Offset:x}"));
    }

    [Test]
    public void The_newest_seqno_wins_over_an_older_valid_copy()
    {
        var areas = MdaEditor.Areas(Image);
        var old = MdaEditor.ReadBytes(Image, areas[0].Offset, (int)areas[0].Size);
        File.WriteAllBytes(Image, _pristine);
        _lab.Check("lvrename", "--driverloaded", "n", _lab.VgName, "b", "renamed");
        var seq = LvmLab.Long(_lab.Report("vgs", "vg_seqno", _lab.VgName)[0][0]);
        MdaEditor.WriteBytes(Image, areas[0].Offset, old); // copy 0 back to the previous seqno
        var vg = Scan().VolumeGroups.Single();
        Assert.That(vg.SeqNo, Is.EqualTo(seq));
        Assert.That(vg.MetadataLocation, Does.Contain("metadata area 1"));
        Assert.That(vg.LogicalVolumes.Select(l => l.Name), Is.EqualTo(new[] { "a", "renamed" }));
    }

    [Test]
    public void A_truncated_text_is_a_parse_error_with_a_line_number()
    {
        foreach (var area in MdaEditor.Areas(Image))
        {
            var text = MdaEditor.Text(Image, area);
            MdaEditor.Write(Image, area, text, sizeOverride: text.Length / 2);
        }

        Fails<InvalidImageException>(", line ");
    }

    [Test]
    public void Deep_nesting_is_refused()
    {
        foreach (var area in MdaEditor.Areas(Image))
        {
            MdaEditor.Write(Image, area, string.Concat(Enumerable.Repeat("x {\n", 200)) + new string('}', 200));
        }

        Fails<InvalidImageException>("nested deeper than 16");
    }

    [TestCase(@"extent_size = \d+", "extent_size = 0", "\"extent_size\" = 0 is outside")]
    [TestCase(@"pe_count = \d+", "pe_count = 1000000", "pass dev_size")]
    [TestCase(@"dev_size = \d+", "dev_size = 99999999999999", "")]
    [TestCase(@"pe_start = \d+", "pe_start = -1", "\"pe_start\" = -1 is outside")]
    [TestCase(@"pe_count = \d+", "pe_count = 99999999999999999999999", "out-of-range integer")]
    [TestCase(@"seqno = \d+", "seqno = \"x\"", "\"seqno\" is not an integer")]
    public void Damaged_vg_values_are_one_line_errors(string pattern, string replacement, string expected)
    {
        if (replacement.StartsWith("dev_size", StringComparison.Ordinal))
        {
            // A dev_size larger than the device lets pe_count pass the real end of the device.
            EditVg(pattern, replacement);
            EditVg(@"pe_count = \d+", "pe_count = 100000");
            Fails<InvalidImageException>("pass the end of disk0.img");
            return;
        }

        EditVg(pattern, replacement);
        Fails<InvalidImageException>(expected);
    }

    [Test]
    public void Overlapping_lvs_are_an_error()
    {
        EditLv("b", @"""pv0"", \d+", @"""pv0"", 1");
        Fails<InvalidImageException>("both map extent 1 of pv0");
    }

    [Test]
    public void One_pv_under_two_names_is_an_error()
    {
        EditVg(@"\n(\s*)pv0 \{([^}]*)\}", "\n$1pv0 {$2}\n$1pv1 {$2}");
        EditLv("b", @"""pv0"", \d+", @"""pv1"", 0");
        Fails<InvalidImageException>("PV pv1 and PV pv0 have the same id");
    }

    [Test]
    public void An_extent_past_the_pv_is_an_error()
    {
        EditLv("b", @"""pv0"", \d+", @"""pv0"", 4294967290");
        Fails<InvalidImageException>("passes its");
    }

    [Test]
    public void Huge_counts_are_bounded()
    {
        EditLv("b", @"segment_count = 1", "segment_count = 999999");
        Fails<InvalidImageException>("segment2 of 999999 is missing");
        File.WriteAllBytes(Image, _pristine);
        EditLv("b", @"stripe_count = 1", "stripe_count = 1000000");
        Fails<InvalidImageException>("\"stripe_count\" = 1000000 is outside 1..128");
    }

    [TestCase("thin-pool", "thin pool")]
    [TestCase("thin", "thin volume")]
    [TestCase("cache", "cache")]
    [TestCase("writecache", "writecache")]
    [TestCase("raid1", "RAID (segment type raid1)")]
    [TestCase("raid5_ls", "RAID (segment type raid5_ls)")]
    [TestCase("mirror", "mirror")]
    [TestCase("vdo", "VDO")]
    [TestCase("integrity", "integrity")]
    [TestCase("zero", "segment type zero")]
    public void Unsupported_segment_types_are_refused_by_name_and_other_lvs_still_open(string type, string name)
    {
        EditLv("a", @"type = ""striped""", $"type = \"{type}\"");
        var vg = Scan().VolumeGroups.Single();
        var e = Assert.Throws<UnsupportedFeatureException>(() => vg.OpenLogicalVolume("a"))!;
        Assert.That(e.Message, Does.Contain($"LV {_lab.VgName}/a").And.Contain(name));
        using var b = vg.OpenLogicalVolume("b");
        Assert.That(b.Length, Is.EqualTo(2 * 1024 * 1024));
    }

    [Test]
    public void Not_fully_mapped_lvs_are_refused()
    {
        EditLv("a", @"start_extent = 0", "start_extent = 1");
        var e = Assert.Throws<UnsupportedFeatureException>(() => Scan().VolumeGroups.Single().OpenLogicalVolume("a"))!;
        Assert.That(e.Message, Does.Contain("not fully mapped (no segment covers extents 0..0)"));
    }

    [TestCase("a", "b", "origin of snapshot snap0", "copy-on-write store of snapshot snap0")]
    [TestCase("snap0", "snap0", "snapshot (segment type snapshot)", "snapshot (segment type snapshot)")]
    public void Snapshots_refuse_their_origin_and_store(string origin, string cow, string originReason, string cowReason)
    {
        var snapshot = $"\nsnap0 {{\nid = \"abcdef-abcd-abcd-abcd-abcd-abcd-abcdef\"\nstatus = [\"READ\"]\nsegment_count = 1\nsegment1 {{\n" +
                       $"start_extent = 0\nextent_count = 1\ntype = \"snapshot\"\nchunk_size = 8\norigin = \"{origin}\"\ncow_store = \"{cow}\"\n}}\n}}\n";
        EditVg(@"logical_volumes \{", "logical_volumes {" + snapshot);
        var vg = Scan().VolumeGroups.Single();
        Assert.That(vg.FindLogicalVolume(origin)!.UnsupportedReason, Does.Contain(originReason));
        Assert.That(vg.FindLogicalVolume(cow)!.UnsupportedReason, Does.Contain(cowReason));
        Assert.Throws<UnsupportedFeatureException>(() => vg.OpenLogicalVolume("snap0"));
    }

    [Test]
    public void A_hidden_lv_is_refused_as_a_component()
    {
        EditLv("a", @"""VISIBLE""", @"""READ""");
        Assert.That(Scan().VolumeGroups.Single().FindLogicalVolume("a")!.UnsupportedReason, Does.Contain("hidden LV"));
    }

    [Test]
    public void An_inactive_lv_is_readable()
    {
        // LVs made here are never active (no device-mapper): opening them is the proof.
        var devices = _lab.OpenAll(writable: false);
        try
        {
            var vg = LvmScanner.Scan(devices).VolumeGroups.Single();
            Assert.That(vg.FindLogicalVolume("a")!.Status, Does.Not.Contain("ACTIVE"));
            using var a = vg.OpenLogicalVolume("a");
            var buffer = new byte[4096];
            a.Read(a.Length - buffer.Length, buffer);
            Assert.That(a.CanWrite, Is.False);
            Assert.Throws<GuestFileSystemException>(() => a.Write(0, buffer));
            var e = Assert.Throws<InvalidImageException>(() => a.Read(a.Length - 1, buffer))!;
            Assert.That(e.Message, Does.Contain($"LV {_lab.VgName}/a"));
        }
        finally
        {
            LvmLab.Close(devices);
        }
    }
}
