namespace Sealer.Lvm;

/// <summary>One verified copy (<see cref="Location"/> names the device, area and text offset) of a VG's metadata text, read from one metadata area of one PV.</summary>
internal sealed record MetadataCopy(string Location, byte[] Text, uint Checksum);
