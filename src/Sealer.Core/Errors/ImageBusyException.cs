namespace Sealer.Core.Errors;

/// <summary>The image is locked by another process (a running VM or another Sealer run), or cannot be opened for writing.</summary>
public sealed class ImageBusyException(string message, Exception? inner = null) : SealerException(message, inner);
