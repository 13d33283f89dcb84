using Sealer.Core.Errors;

namespace Sealer.Operations;

/// <summary>An invalid value in <see cref="SealOptions"/> (a usage error), e.g. a malformed --hostname.</summary>
public sealed class SealOptionException(string message) : SealerException(message);
