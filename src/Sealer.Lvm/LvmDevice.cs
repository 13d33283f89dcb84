using Sealer.Core.IO;

namespace Sealer.Lvm;

/// <summary>A device that may hold an LVM2 physical volume (a disk or a partition), with the name used in messages.</summary>
public sealed record LvmDevice(string Name, IBlockDevice Device);
