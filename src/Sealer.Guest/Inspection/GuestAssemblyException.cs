using Sealer.Core.Errors;

namespace Sealer.Guest.Inspection;

/// <summary>The guest's file systems cannot be put together: no operating system found, two candidate roots
/// (choose one explicitly), or the chosen root does not exist.</summary>
public sealed class GuestAssemblyException(string message, Exception? inner = null) : SealerException(message, inner);
