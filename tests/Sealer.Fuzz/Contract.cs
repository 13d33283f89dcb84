using Sealer.Core.Errors;

namespace Sealer.Fuzz;

/// <summary>
/// What a fuzz target may end with. Success, or one of Sealer's own one-line errors (every <see cref="SealerException"/>:
/// invalid image, unsupported feature, a guest file-system error with its code, a guest that cannot be assembled...).
/// Anything else - IndexOutOfRange, NullReference, Overflow, Argument*, InvalidOperation, IOException, OutOfMemory -
/// is a finding: the CLI would print it as an internal error (exit 70) or with the wrong words.
/// </summary>
public static class Contract
{
    public static bool IsDocumented(Exception e) => e is SealerException;

    /// <summary>Runs <paramref name="step"/>; a documented error ends only that step (the caller goes on exploring).</summary>
    public static bool Try(Action step)
    {
        try
        {
            step();
            return true;
        }
        catch (Exception e) when (IsDocumented(e))
        {
            return false;
        }
    }
}

/// <summary>A broken promise that is not an exception of the code under test (data read back wrong, a budget blown).</summary>
public sealed class ContractViolationException(string message) : Exception(message);
