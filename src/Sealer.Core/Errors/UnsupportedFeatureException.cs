namespace Sealer.Core.Errors;

/// <summary>Valid on-disk data that Sealer refuses to handle; the message names the feature,
/// e.g. <c>ext4: cannot write: unsupported ro_compat features: bigalloc</c>.</summary>
public sealed class UnsupportedFeatureException(string message, Exception? inner = null) : SealerException(message, inner);
