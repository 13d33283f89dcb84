namespace Sealer.Lvm;

/// <summary>A PV as the VG metadata lists it, with the device whose label carries its UUID (null when missing).</summary>
public sealed class PhysicalVolume
{
    internal PhysicalVolume(string name, string id, string? deviceHint, long peStart, long peCount, long devSize,
        IReadOnlyList<string> status, IReadOnlyList<string> flags, LvmDevice? device, PhysicalVolumeLabel? label)
    {
        Name = name;
        Id = id;
        DeviceHint = deviceHint;
        PeStart = peStart;
        PeCount = peCount;
        DevSize = devSize;
        Status = status;
        Flags = flags;
        Device = device;
        Label = label;
    }

    /// <summary>The metadata's section name (pv0, pv1...), which segments refer to.</summary>
    public string Name { get; }

    public string Id { get; }

    /// <summary>The device path LVM last saw (a hint only; the UUID is what links a PV to a device).</summary>
    public string? DeviceHint { get; }

    /// <summary>Start of the first extent, in 512-byte sectors.</summary>
    public long PeStart { get; }

    public long PeCount { get; }

    /// <summary>The device size in 512-byte sectors, as the metadata records it.</summary>
    public long DevSize { get; }

    public IReadOnlyList<string> Status { get; }

    public IReadOnlyList<string> Flags { get; }

    public LvmDevice? Device { get; }

    public PhysicalVolumeLabel? Label { get; }

    public bool IsMissing => Device is null;
}
