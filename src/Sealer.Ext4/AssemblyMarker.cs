namespace Sealer.Ext4;
internal static class AssemblyMarker { }
