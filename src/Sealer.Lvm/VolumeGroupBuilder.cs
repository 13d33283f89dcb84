using Sealer.Core.Errors;
using Sealer.Lvm.Text;

namespace Sealer.Lvm;

/// <summary>
/// Builds a <see cref="VolumeGroup"/> from parsed metadata and checks it against the devices: every PV's extents lie
/// on its device after its label and metadata areas, every stripe lies inside its PV's extents, no two stripes share
/// an extent, and every LV is fully mapped. Arithmetic is done in 128 bits, so no crafted value can overflow it.
/// </summary>
internal static class VolumeGroupBuilder
{
    private const long SectorBytes = 512;
    private const long MaxU32 = uint.MaxValue;

    /// <summary>A found PV label and the device it is on, keyed by the UUID without dashes.</summary>
    internal sealed record FoundLabel(LvmDevice Device, PhysicalVolumeLabel Label);

    public static VolumeGroup Build(ConfigSection root, string location, IReadOnlyDictionary<string, FoundLabel> labels)
    {
        var vgSection = VgSection(root, location);
        var vgName = vgSection.Name;
        var r = new ConfigReader($"lvm: VG {vgName} metadata ({location})");
        var id = r.String(vgSection, "id");
        var seqNo = r.Integer(vgSection, "seqno", 0, MaxU32);
        r = new ConfigReader($"lvm: VG {vgName} (seqno {seqNo})");
        var extentSize = r.Integer(vgSection, "extent_size", 1, MaxU32);
        var status = r.Strings(vgSection, "status");
        var flags = r.Strings(vgSection, "flags");

        var pvSection = vgSection.Section("physical_volumes") ?? throw r.Error(vgSection.Line, "section \"physical_volumes\" is missing");
        var pvs = new List<PhysicalVolume>();
        var pvByName = new Dictionary<string, PhysicalVolume>(StringComparer.Ordinal);
        string? unsupported = null;
        foreach (var s in pvSection.Sections)
        {
            var pv = BuildPv(r, s, extentSize, labels);
            if (pvs.FirstOrDefault(p => SameId(p.Id, pv.Id)) is { } twin)
            {
                // Two names for one device would let two LVs share extents unseen.
                throw r.Error(s.Line, $"PV {pv.Name} and PV {twin.Name} have the same id {pv.Id}");
            }

            pvs.Add(pv);
            pvByName.Add(pv.Name, pv);
            if (unsupported is null && (pv.IsMissing || pv.Flags.Contains("MISSING")))
            {
                unsupported = $"partial VG: PV {pv.Name} ({pv.Id}) is missing from the given devices";
            }
        }

        if (pvs.Count == 0)
        {
            throw r.Error(pvSection.Line, "the VG has no physical volumes");
        }

        var lvs = new List<LogicalVolume>();
        var mappings = new Dictionary<string, LogicalVolumeDevice.MappedSegment[]>(StringComparer.Ordinal);
        var used = new List<(string Pv, long Start, long Length, string Lv)>();
        var lvSection = vgSection.Section("logical_volumes");
        var sections = lvSection?.Sections ?? [];
        var snapshotRoles = SnapshotRoles(r, sections);
        foreach (var s in sections)
        {
            var lv = BuildLv(r, s, extentSize, pvByName, snapshotRoles, used, out var mapping);
            lvs.Add(lv);
            if (mapping is not null)
            {
                mappings.Add(lv.Name, mapping);
            }
        }

        CheckNoOverlap(r, used);
        return new VolumeGroup(vgName, id, seqNo, extentSize, status, flags, pvs, lvs, unsupported, location, mappings);
    }

    internal static bool SameId(string a, string b) =>
        string.Equals(a.Replace("-", string.Empty, StringComparison.Ordinal), b.Replace("-", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

    /// <summary>The VG's section: the one section at the top level of a metadata text.</summary>
    internal static ConfigSection VgSection(ConfigSection root, string location)
    {
        if (root.Sections.Count != 1)
        {
            throw new InvalidImageException($"lvm: metadata ({location}): {root.Sections.Count} top-level sections, expected one volume group");
        }

        return root.Sections[0];
    }

    private static PhysicalVolume BuildPv(ConfigReader r, ConfigSection s, long extentSize, IReadOnlyDictionary<string, FoundLabel> labels)
    {
        var id = r.String(s, "id");
        var peStart = r.Integer(s, "pe_start", 0, long.MaxValue / SectorBytes);
        var peCount = r.Integer(s, "pe_count", 0, MaxU32);
        var devSize = r.Integer(s, "dev_size", 0, long.MaxValue / SectorBytes);
        var status = r.Strings(s, "status");
        var flags = r.Strings(s, "flags");
        var found = labels.GetValueOrDefault(id.Replace("-", string.Empty, StringComparison.Ordinal));

        var where = $"PV {s.Name} ({id})";
        var start = (Int128)peStart * SectorBytes;
        var end = start + ((Int128)peCount * extentSize * SectorBytes);
        if (end > (Int128)devSize * SectorBytes)
        {
            throw r.Error(s.Line, $"{where}: {peCount} extents of {extentSize} sectors from sector {peStart} pass dev_size {devSize}");
        }

        if (found is not null && peCount > 0)
        {
            var length = found.Device.Device.Length;
            if (end > length)
            {
                throw r.Error(s.Line,
                    $"{where}: {peCount} extents of {extentSize} sectors from sector {peStart} pass the end of {found.Device.Name} (0x{length:x} bytes)");
            }

            if (start < PhysicalVolumeLabel.LabelScanSectors * PhysicalVolumeLabel.SectorBytes)
            {
                throw r.Error(s.Line, $"{where}: pe_start {peStart} overlaps the label sectors");
            }

            foreach (var mda in found.Label.MetadataAreas)
            {
                if (start < mda.Offset + (Int128)mda.Size && mda.Offset < end)
                {
                    throw r.Error(s.Line, $"{where}: extents 0x{start:x}..0x{end:x} overlap the metadata area at 0x{mda.Offset:x} of {found.Device.Name}");
                }
            }
        }

        return new PhysicalVolume(s.Name, id, r.OptionalString(s, "device"), peStart, peCount, devSize, status, flags, found?.Device, found?.Label);
    }

    /// <summary>Which LVs are snapshot origins or copy-on-write stores (old-style snapshots), with the snapshot's name.</summary>
    private static Dictionary<string, string> SnapshotRoles(ConfigReader r, IReadOnlyList<ConfigSection> lvSections)
    {
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var lv in lvSections)
        {
            foreach (var seg in lv.Sections)
            {
                if (r.OptionalString(seg, "type") != "snapshot")
                {
                    continue;
                }

                if (r.OptionalString(seg, "origin") is { } origin)
                {
                    roles.TryAdd(origin, $"origin of snapshot {lv.Name} (copy-on-write snapshots are not supported)");
                }

                if (r.OptionalString(seg, "cow_store") is { } cow)
                {
                    roles.TryAdd(cow, $"copy-on-write store of snapshot {lv.Name} (snapshots are not supported)");
                }
            }
        }

        return roles;
    }

    private static LogicalVolume BuildLv(ConfigReader r, ConfigSection s, long extentSize, Dictionary<string, PhysicalVolume> pvs,
        Dictionary<string, string> snapshotRoles, List<(string Pv, long Start, long Length, string Lv)> used,
        out LogicalVolumeDevice.MappedSegment[]? mapping)
    {
        mapping = null;
        var id = r.String(s, "id");
        var status = r.Strings(s, "status");
        var flags = r.Strings(s, "flags");
        var segmentCount = r.Integer(s, "segment_count", 1, MetadataParser.MaxElements);
        var segments = new List<LogicalVolumeSegment>();
        string? unsupported = null;
        for (var i = 1; i <= segmentCount; i++)
        {
            var seg = s.Section($"segment{i}") ?? throw r.Error(s.Line, $"LV {s.Name}: segment{i} of {segmentCount} is missing");
            var segment = BuildSegment(r, s.Name, seg, pvs, extentSize, used);
            segments.Add(segment);
            unsupported ??= UnsupportedType(segment.Type);
        }

        segments.Sort((a, b) => a.StartExtent.CompareTo(b.StartExtent));
        long next = 0;
        foreach (var seg in segments)
        {
            if (seg.StartExtent < next)
            {
                throw r.Error(s.Line, $"LV {s.Name}: {seg.Name} starts at extent {seg.StartExtent}, inside the previous segment");
            }

            if (seg.StartExtent > next)
            {
                unsupported ??= $"not fully mapped (no segment covers extents {next}..{seg.StartExtent - 1})";
            }

            next = seg.StartExtent + seg.ExtentCount;
        }

        var extentCount = next;
        var size = (Int128)extentCount * extentSize * SectorBytes;
        if (size > long.MaxValue)
        {
            throw r.Error(s.Line, $"LV {s.Name}: {extentCount} extents of {extentSize} sectors do not fit in 64 bits");
        }

        if (unsupported is null && snapshotRoles.TryGetValue(s.Name, out var role))
        {
            unsupported = role;
        }

        if (unsupported is null && !status.Contains("VISIBLE"))
        {
            unsupported = "hidden LV (a component of another LV)";
        }

        if (unsupported is null && status.Contains("LOCKED"))
        {
            unsupported = "locked by a pvmove in progress";
        }

        if (unsupported is null && pvs.Values.FirstOrDefault(p => p.IsMissing && segments.Any(g => g.Stripes.Any(a => a.PhysicalVolumeName == p.Name))) is { } missing)
        {
            unsupported = $"PV {missing.Name} ({missing.Id}) is missing";
        }

        if (unsupported is null)
        {
            mapping = [.. segments.Select(g => Map(g, pvs, extentSize))];
        }

        return new LogicalVolume(s.Name, id, status, flags, segments, extentCount, (long)size, unsupported);
    }

    private static LogicalVolumeSegment BuildSegment(ConfigReader r, string lvName, ConfigSection seg, Dictionary<string, PhysicalVolume> pvs,
        long extentSize, List<(string Pv, long Start, long Length, string Lv)> used)
    {
        var where = $"LV {lvName} {seg.Name}";
        var start = r.Integer(seg, "start_extent", 0, MaxU32);
        var count = r.Integer(seg, "extent_count", 1, MaxU32);
        var type = r.String(seg, "type");
        if (type is not ("striped" or "linear"))
        {
            return new LogicalVolumeSegment(seg.Name, start, count, type, 0, []);
        }

        var stripeCount = r.Integer(seg, "stripe_count", 1, 128);
        var stripeSize = stripeCount == 1 ? r.OptionalInteger(seg, "stripe_size", 0, MaxU32) ?? 0 : r.Integer(seg, "stripe_size", 1, MaxU32);
        var array = r.Array(seg, "stripes");
        if (array.Items.Count != 2 * stripeCount)
        {
            throw r.Error(array.Line, $"{where}: \"stripes\" has {array.Items.Count} elements, expected {2 * stripeCount} for {stripeCount} stripes");
        }

        if (count % stripeCount != 0)
        {
            throw r.Error(seg.Line, $"{where}: {count} extents do not divide into {stripeCount} stripes");
        }

        var areaLength = count / stripeCount;
        if (stripeCount > 1 && (Int128)areaLength * extentSize % stripeSize != 0)
        {
            throw r.Error(seg.Line, $"{where}: stripe length {areaLength * extentSize} sectors is not a multiple of stripe_size {stripeSize}");
        }

        var stripes = new List<StripeArea>();
        for (var i = 0; i < stripeCount; i++)
        {
            var pvItem = array.Items[2 * i];
            var peItem = array.Items[(2 * i) + 1];
            if (pvItem is not ConfigString pvName || peItem is not ConfigInteger pe)
            {
                throw r.Error(array.Line, $"{where}: stripe {i} is not a PV name and an extent number");
            }

            var pv = pvs.GetValueOrDefault(pvName.Value) ?? throw r.Error(array.Line, $"{where}: stripe {i} names unknown PV \"{pvName.Value}\"");
            if (pe.Value < 0 || pe.Value > pv.PeCount || areaLength > pv.PeCount - pe.Value)
            {
                throw r.Error(array.Line, $"{where}: stripe {i} (extents {pe.Value}..{(Int128)pe.Value + areaLength - 1} of {pv.Name}) passes its {pv.PeCount} extents");
            }

            stripes.Add(new StripeArea(pv.Name, pe.Value));
            used.Add((pv.Name, pe.Value, areaLength, $"{lvName} {seg.Name}"));
        }

        return new LogicalVolumeSegment(seg.Name, start, count, type, stripeCount == 1 ? 0 : stripeSize, stripes);
    }

    private static LogicalVolumeDevice.MappedSegment Map(LogicalVolumeSegment seg, Dictionary<string, PhysicalVolume> pvs, long extentSize)
    {
        var extentBytes = extentSize * SectorBytes;
        var areaBytes = seg.AreaLength * extentBytes;
        var stripes = seg.Stripes
            .Select(a =>
            {
                var pv = pvs[a.PhysicalVolumeName];
                return new LogicalVolumeDevice.MappedStripe(pv.Device!.Device, (pv.PeStart * SectorBytes) + (a.StartExtent * extentBytes), areaBytes);
            })
            .ToList();
        return new LogicalVolumeDevice.MappedSegment(seg.StartExtent * extentBytes, seg.ExtentCount * extentBytes, seg.StripeSize * SectorBytes, stripes);
    }

    private static void CheckNoOverlap(ConfigReader r, List<(string Pv, long Start, long Length, string Lv)> used)
    {
        foreach (var group in used.GroupBy(u => u.Pv))
        {
            var sorted = group.OrderBy(u => u.Start).ToList();
            for (var i = 1; i < sorted.Count; i++)
            {
                var prev = sorted[i - 1];
                if (sorted[i].Start < prev.Start + prev.Length)
                {
                    throw new InvalidImageException(
                        $"{r.Context}: LV {prev.Lv} and LV {sorted[i].Lv} both map extent {sorted[i].Start} of {group.Key}");
                }
            }
        }
    }

    /// <summary>The name of a segment type Sealer refuses, or null for linear/striped.</summary>
    private static string? UnsupportedType(string type) => type switch
    {
        "striped" or "linear" => null,
        "thin-pool" => "thin pool (segment type thin-pool)",
        "thin" => "thin volume (segment type thin)",
        "cache" or "cache-pool" => $"cache (segment type {type})",
        "writecache" => "writecache (segment type writecache)",
        "mirror" => "mirror (segment type mirror)",
        "snapshot" => "snapshot (segment type snapshot)",
        "vdo" or "vdo-pool" => $"VDO (segment type {type})",
        "integrity" => "integrity (segment type integrity)",
        _ when type.StartsWith("raid", StringComparison.Ordinal) => $"RAID (segment type {type})",
        _ => $"segment type {type}",
    };
}
