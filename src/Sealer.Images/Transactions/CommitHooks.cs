namespace Sealer.Images.Transactions;

/// <summary>Test hooks for <see cref="InPlaceCommit"/>: called before each host write or fsync. Null costs nothing.</summary>
public sealed class CommitHooks
{
    /// <summary>Called before <paramref name="step"/> is performed (a crash test kills the process here).</summary>
    public Action<CommitStep>? BeforeStep { get; init; }
}

/// <summary>Null-tolerant hook invocation.</summary>
internal static class CommitHooksExtensions
{
    public static void Step(this CommitHooks? hooks, CommitStep step) => hooks?.BeforeStep?.Invoke(step);
}
