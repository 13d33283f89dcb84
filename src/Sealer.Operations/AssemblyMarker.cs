namespace Sealer.Operations;
internal static class AssemblyMarker { }
