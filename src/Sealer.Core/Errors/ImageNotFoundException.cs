namespace Sealer.Core.Errors;

/// <summary>The image file (or a backing file) does not exist.</summary>
public sealed class ImageNotFoundException(string message) : SealerException(message);
