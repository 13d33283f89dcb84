using System.Text.Json.Serialization;

namespace Sealer.Operations;

/// <summary>What happened to one selected operation.</summary>
public sealed record OperationResult(
    string Name,
    OperationStatus Status,
    IReadOnlyList<SealAction> Actions,
    IReadOnlyList<string> Warnings,
    string? Error)
{
    /// <summary>Why a not-applicable operation did nothing (unsupported, or not for this guest's family).</summary>
    public string? Reason { get; init; }
}

public enum OperationStatus
{
    [JsonStringEnumMemberName("applied")]
    Applied,

    [JsonStringEnumMemberName("not-applicable")]
    NotApplicable,

    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Not started because an earlier operation failed (the run stops at the first failure).</summary>
    [JsonStringEnumMemberName("not-run")]
    NotRun,
}
