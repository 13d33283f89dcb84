namespace Sealer.Lvm;

/// <summary>One stripe of a segment: extents of <see cref="PhysicalVolumeName"/> starting at <see cref="StartExtent"/>.</summary>
public sealed record StripeArea(string PhysicalVolumeName, long StartExtent);
