namespace Sealer.Lvm;

/// <summary>A byte range of a PV named in its pv_header (a data area or a metadata area). A data area of size 0
/// reaches to the end of the device.</summary>
public sealed record DiskArea(long Offset, long Size);
