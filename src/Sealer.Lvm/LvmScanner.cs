using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Lvm.Text;

namespace Sealer.Lvm;

/// <summary>
/// Finds LVM2 physical volumes on a set of devices (the disks and partitions of an image) and assembles their volume
/// groups from the newest valid metadata copy. Reads only: LVM metadata is never written here.
/// </summary>
public static class LvmScanner
{
    /// <summary>True when one of the first four sectors starts with <c>LABELONE</c> (a PV, or a damaged one).</summary>
    public static bool HasLabel(IBlockDevice device)
    {
        var sector = new byte[PhysicalVolumeLabel.SectorBytes];
        for (var s = 0; s < PhysicalVolumeLabel.LabelScanSectors && (long)(s + 1) * sector.Length <= device.Length; s++)
        {
            device.Read((long)s * sector.Length, sector);
            if (sector.AsSpan(0, 8).SequenceEqual("LABELONE"u8))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads every PV label and every metadata copy on <paramref name="devices"/>, verifies their checksums and
    /// builds each VG from its newest copy (highest seqno). A copy with a bad checksum is skipped with a warning;
    /// a VG with no valid copy, or any structural damage, is an <see cref="InvalidImageException"/>.
    /// Devices without a label are ignored.
    /// </summary>
    public static LvmScanResult Scan(IReadOnlyList<LvmDevice> devices)
    {
        var warnings = new List<string>();
        var labels = new Dictionary<string, VolumeGroupBuilder.FoundLabel>(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (PhysicalVolumeLabel.TryRead(device) is not { } label)
            {
                continue;
            }

            var key = label.Uuid.Replace("-", string.Empty, StringComparison.Ordinal);
            if (labels.TryGetValue(key, out var other))
            {
                throw new InvalidImageException($"lvm: {device.Name} and {other.Device.Name} carry the same PV UUID {label.Uuid}");
            }

            labels.Add(key, new VolumeGroupBuilder.FoundLabel(device, label));
        }

        // Every valid copy, grouped by VG id; the newest wins.
        var newest = new Dictionary<string, (long SeqNo, MetadataCopy Copy, ConfigSection Root, string Name)>(StringComparer.Ordinal);
        var badCopies = new Dictionary<string, List<string>>(StringComparer.Ordinal); // by PV UUID
        var pvsWithMetadata = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, found) in labels)
        {
            for (var i = 0; i < found.Label.MetadataAreas.Count; i++)
            {
                var result = MetadataAreaReader.Read(found.Device, found.Label.MetadataAreas[i], i);
                if (result.Warning is not null)
                {
                    warnings.Add(result.Warning);
                    if (!badCopies.TryGetValue(key, out var list))
                    {
                        badCopies[key] = list = [];
                    }

                    list.Add(result.Warning);
                }

                if (result.Copy is not { } copy)
                {
                    continue;
                }

                var root = MetadataParser.Parse(copy.Text, $"lvm: {copy.Location}");
                var vg = VolumeGroupBuilder.VgSection(root, copy.Location);
                var reader = new ConfigReader($"lvm: VG {vg.Name} metadata ({copy.Location})");
                var vgId = reader.String(vg, "id");
                var seqNo = reader.Integer(vg, "seqno", 0, uint.MaxValue);
                pvsWithMetadata.Add(key);
                if (!newest.TryGetValue(vgId, out var best) || seqNo > best.SeqNo)
                {
                    newest[vgId] = (seqNo, copy, root, vg.Name);
                }
                else if (seqNo == best.SeqNo && copy.Checksum != best.Copy.Checksum)
                {
                    throw new InvalidImageException(
                        $"lvm: VG {vg.Name}: two different metadata texts with seqno {seqNo} ({best.Copy.Location}; {copy.Location})");
                }
            }
        }

        var groups = new List<VolumeGroup>();
        var members = new Dictionary<string, string>(StringComparer.Ordinal); // PV UUID -> VG name
        foreach (var (_, best) in newest.OrderBy(n => n.Value.Name, StringComparer.Ordinal))
        {
            var vg = VolumeGroupBuilder.Build(best.Root, best.Copy.Location, labels);
            foreach (var pv in vg.PhysicalVolumes)
            {
                var key = pv.Id.Replace("-", string.Empty, StringComparison.Ordinal);
                if (members.TryGetValue(key, out var otherVg))
                {
                    throw new InvalidImageException($"lvm: PV {pv.Id} is claimed by VG {otherVg} and VG {vg.Name}");
                }

                members.Add(key, vg.Name);
            }

            groups.Add(vg);
        }

        var orphans = new List<LvmDevice>();
        foreach (var (key, found) in labels)
        {
            if (members.ContainsKey(key))
            {
                continue;
            }

            if (badCopies.TryGetValue(key, out var bad) && !pvsWithMetadata.Contains(key))
            {
                // Metadata was there but no copy survived: its VG cannot be assembled.
                throw new InvalidImageException($"lvm: {found.Device.Name}: no valid metadata copy ({string.Join("; ", bad)})");
            }

            orphans.Add(found.Device);
        }

        return new LvmScanResult(groups, orphans, warnings);
    }
}
