namespace Sealer.Lvm;

/// <summary>The volume groups found on a set of devices, the PVs that belong to none, and what was skipped on the way.</summary>
public sealed record LvmScanResult(
    IReadOnlyList<VolumeGroup> VolumeGroups,
    IReadOnlyList<LvmDevice> OrphanPhysicalVolumes,
    IReadOnlyList<string> Warnings);
