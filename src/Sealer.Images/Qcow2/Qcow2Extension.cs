namespace Sealer.Images.Qcow2;

/// <summary>One header extension as found in cluster 0 (kept only to inspect; the bytes on disk are never rewritten).</summary>
internal readonly record struct Qcow2Extension(uint Type, long Offset, int Length);
