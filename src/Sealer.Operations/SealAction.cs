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
