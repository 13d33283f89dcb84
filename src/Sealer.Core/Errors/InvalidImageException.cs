namespace Sealer.Core.Errors;

/// <summary>Malformed or corrupt on-disk data. The message names the structure and the offset, e.g.
/// <c>qcow2: L2 table offset 0x3f0200 is not cluster-aligned (L1 index 12)</c>.</summary>
public sealed class InvalidImageException(string message, Exception? inner = null) : SealerException(message, inner);
