using Sealer.Core.Errors;

namespace Sealer.Lvm;

/// <summary>
/// A volume group as its newest metadata describes it. <see cref="UnsupportedReason"/> is set when the VG as a
/// whole is refused (a PV is missing); each LV carries its own reason.
/// </summary>
public sealed class VolumeGroup
{
    private readonly IReadOnlyDictionary<string, LogicalVolumeDevice.MappedSegment[]> _mappings;

    internal VolumeGroup(string name, string id, long seqNo, long extentSize, IReadOnlyList<string> status, IReadOnlyList<string> flags,
        IReadOnlyList<PhysicalVolume> physicalVolumes, IReadOnlyList<LogicalVolume> logicalVolumes, string? unsupportedReason,
        string metadataLocation, IReadOnlyDictionary<string, LogicalVolumeDevice.MappedSegment[]> mappings)
    {
        Name = name;
        Id = id;
        SeqNo = seqNo;
        ExtentSize = extentSize;
        Status = status;
        Flags = flags;
        PhysicalVolumes = physicalVolumes;
        LogicalVolumes = logicalVolumes;
        UnsupportedReason = unsupportedReason;
        MetadataLocation = metadataLocation;
        _mappings = mappings;
    }

    public string Name { get; }

    public string Id { get; }

    public long SeqNo { get; }

    /// <summary>The extent size in 512-byte sectors.</summary>
    public long ExtentSize { get; }

    public IReadOnlyList<string> Status { get; }

    public IReadOnlyList<string> Flags { get; }

    public IReadOnlyList<PhysicalVolume> PhysicalVolumes { get; }

    public IReadOnlyList<LogicalVolume> LogicalVolumes { get; }

    /// <summary>Why the whole VG is refused, by name; null when its supported LVs can be opened.</summary>
    public string? UnsupportedReason { get; }

    /// <summary>Where the chosen (newest) metadata copy was read.</summary>
    public string MetadataLocation { get; }

    public LogicalVolume? FindLogicalVolume(string name) => LogicalVolumes.FirstOrDefault(lv => lv.Name == name);

    /// <summary>
    /// The LV <paramref name="name"/> as a block device over the PV data areas. Refuses by name
    /// (<see cref="UnsupportedFeatureException"/>) an LV or VG that Sealer does not map.
    /// </summary>
    public LogicalVolumeDevice OpenLogicalVolume(string name)
    {
        var lv = FindLogicalVolume(name) ?? throw new InvalidOperationException($"lvm: VG {Name} has no LV \"{name}\"");
        if (UnsupportedReason is not null)
        {
            throw new UnsupportedFeatureException($"lvm: VG {Name}: {UnsupportedReason}");
        }

        if (lv.UnsupportedReason is not null)
        {
            throw new UnsupportedFeatureException($"lvm: LV {Name}/{lv.Name}: {lv.UnsupportedReason}");
        }

        var segments = _mappings[name];
        var sectorSize = segments.SelectMany(s => s.Stripes).Max(s => s.Device.SectorSize);
        return new LogicalVolumeDevice($"lvm: LV {Name}/{name}", lv.SizeBytes, sectorSize, segments);
    }
}
