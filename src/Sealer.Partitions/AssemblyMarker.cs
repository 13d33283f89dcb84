namespace Sealer.Partitions;
internal static class AssemblyMarker { }
