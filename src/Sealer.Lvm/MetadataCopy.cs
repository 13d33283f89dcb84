namespace Sealer.Lvm;

/// <summary>One verified copy of a VG's metadata text, read from one metadata area of one PV.</summary>
internal sealed record MetadataCopy(string Location, byte[] Text, uint Checksum);
