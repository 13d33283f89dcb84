namespace Sealer.Guest.Inspection;

/// <summary>The guest put together from its file systems. Disposing it disposes every mounted file system.</summary>
public sealed class AssembledGuest(GuestRoot root, GuestInfo info, IReadOnlyList<MountedFileSystem> mounts, IReadOnlyList<string> warnings)
    : IDisposable
{
    /// <summary>The whole guest tree; pass it to operations as their IFileSystem.</summary>
    public GuestRoot Root { get; } = root;

    public GuestInfo Info { get; } = info;

    /// <summary>What was mounted where, root first, in mount order.</summary>
    public IReadOnlyList<MountedFileSystem> Mounts { get; } = mounts;

    /// <summary>One-line notes for the user: fstab entries that were skipped or not found, candidates that failed to open.</summary>
    public IReadOnlyList<string> Warnings { get; } = warnings;

    public void Dispose() => Root.Dispose();
}
