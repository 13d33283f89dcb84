using Sealer.Core.Errors;

namespace Sealer.Operations;

/// <summary>A bad --operations / --enable argument (a usage error).</summary>
public sealed class OperationSelectionException(string message) : SealerException(message);
