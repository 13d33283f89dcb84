using System.Text.Json.Serialization;

namespace Sealer.Operations;

/// <summary>One change to the guest. <see cref="Size"/> is the bytes removed for deleted/truncated/deleted-tree (the old
/// length, or the sum of regular files below a tree), the new length for created/rewritten, the target length for a symlink.</summary>
public sealed record SealAction(string Operation, string Path, SealActionKind Kind, long Size);

public enum SealActionKind
{
    [JsonStringEnumMemberName("deleted")]
    Deleted,

    [JsonStringEnumMemberName("truncated")]
    Truncated,

    [JsonStringEnumMemberName("rewritten")]
    Rewritten,

    [JsonStringEnumMemberName("created")]
    Created,

    [JsonStringEnumMemberName("deleted-tree")]
    DeletedTree,

    [JsonStringEnumMemberName("symlink-created")]
    SymlinkCreated,

    [JsonStringEnumMemberName("directory-created")]
    DirectoryCreated,
}

/// <summary>The one mapping from an action kind to the word a person reads: a run says what it does ("truncate"),
/// a dry run and `check` say the same word in the conditional ("would truncate"). JSON carries the word as "verb".</summary>
public static class SealActionWords
{
    public static string Verb(SealActionKind kind) => kind switch
    {
        SealActionKind.Deleted => "delete",
        SealActionKind.Truncated => "truncate",
        SealActionKind.Rewritten => "rewrite",
        SealActionKind.Created => "create",
        SealActionKind.DeletedTree => "delete tree",
        SealActionKind.SymlinkCreated => "create symlink",
        SealActionKind.DirectoryCreated => "create directory",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no word for this action kind"),
    };

    /// <summary>"truncate", or "would truncate" for a dry run.</summary>
    public static string Phrase(SealActionKind kind, bool dryRun) => dryRun ? "would " + Verb(kind) : Verb(kind);

    /// <summary>"machine-id: truncate /etc/machine-id (33 bytes)"; with <paramref name="dryRun"/> "... would truncate ...".</summary>
    public static string Line(SealAction action, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(action);
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{action.Operation}: {Phrase(action.Kind, dryRun)} {action.Path} ({action.Size} {(action.Size == 1 ? "byte" : "bytes")})");
    }
}
