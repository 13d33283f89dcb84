namespace Sealer.Core.Errors;

/// <summary>Base of every error Sealer reports to a user as a one-line message.</summary>
public abstract class SealerException(string message, Exception? inner = null) : Exception(message, inner);
