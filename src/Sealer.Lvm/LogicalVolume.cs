namespace Sealer.Lvm;

/// <summary>An LV of a VG. <see cref="UnsupportedReason"/> names what Sealer refuses about it (null when it can be opened).</summary>
public sealed class LogicalVolume
{
    internal LogicalVolume(string name, string id, IReadOnlyList<string> status, IReadOnlyList<string> flags,
        IReadOnlyList<LogicalVolumeSegment> segments, long extentCount, long sizeBytes, string? unsupportedReason)
    {
        Name = name;
        Id = id;
        Status = status;
        Flags = flags;
        Segments = segments;
        ExtentCount = extentCount;
        SizeBytes = sizeBytes;
        UnsupportedReason = unsupportedReason;
    }

    public string Name { get; }

    public string Id { get; }

    public IReadOnlyList<string> Status { get; }

    public IReadOnlyList<string> Flags { get; }

    public IReadOnlyList<LogicalVolumeSegment> Segments { get; }

    public long ExtentCount { get; }

    public long SizeBytes { get; }

    /// <summary>Hidden LVs are components of others (pool data, RAID images, mirror legs...).</summary>
    public bool IsVisible => Status.Contains("VISIBLE");

    /// <summary>Why Sealer refuses to open this LV, by name (thin, RAID, snapshot origin...); null when it can be
    /// opened. Whether the LV is active does not matter: Sealer reads offline and never activates anything.</summary>
    public string? UnsupportedReason { get; }
}
