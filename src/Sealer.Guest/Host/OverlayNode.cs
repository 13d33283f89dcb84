using Sealer.Core.FileSystems;

namespace Sealer.Guest.Host;

/// <summary>The final state of one changed path in a <see cref="HostDirectoryOverlay"/>.</summary>
internal sealed class OverlayNode
{
    private OverlayNode()
    {
    }

    /// <summary>Stands for "nothing here" where no node is stored (below a directory made in the overlay).</summary>
    public static OverlayNode Absent { get; } = Whiteout();

    /// <summary>The path was removed (it existed in the tree).</summary>
    public bool IsWhiteout { get; private init; }

    /// <summary>A directory of the tree whose own mode, owner or times changed; its entries still come from the tree.</summary>
    public bool MetadataOnly { get; private init; }

    public FileKind Kind { get; private init; }

    public byte[] Content { get; set; } = [];

    public string LinkTarget { get; private init; } = string.Empty;

    public UnixFileMode Mode { get; set; }

    public int Uid { get; set; }

    public int Gid { get; set; }

    public long AccessTime { get; set; }

    public long ModifiedTime { get; set; }

    public long ChangeTime { get; set; }

    /// <summary>SetTimes was called: Apply sets these times instead of leaving the host's "now".</summary>
    public bool TimesSet { get; set; }

    public long Inode { get; private init; }

    /// <summary>For <see cref="MetadataOnly"/>: the tree's status, whose other fields still show.</summary>
    public FileStatus BaseStatus { get; private init; }

    public static OverlayNode Whiteout() => new() { IsWhiteout = true };

    public static OverlayNode File(long inode, byte[] content, UnixFileMode mode, int uid, int gid, long now) =>
        new() { Kind = FileKind.Regular, Inode = inode, Content = content, Mode = mode, Uid = uid, Gid = gid, AccessTime = now, ModifiedTime = now, ChangeTime = now };

    public static OverlayNode Directory(long inode, UnixFileMode mode, int uid, int gid, long now) =>
        new() { Kind = FileKind.Directory, Inode = inode, Mode = mode, Uid = uid, Gid = gid, AccessTime = now, ModifiedTime = now, ChangeTime = now };

    public static OverlayNode Symlink(long inode, string target, int uid, int gid, long now) =>
        new() { Kind = FileKind.Symlink, Inode = inode, LinkTarget = target, Mode = (UnixFileMode)0x1ff, Uid = uid, Gid = gid, AccessTime = now, ModifiedTime = now, ChangeTime = now };

    public static OverlayNode TreeDirectory(FileStatus status) => new()
    {
        Kind = FileKind.Directory,
        MetadataOnly = true,
        BaseStatus = status,
        Inode = status.Inode,
        Mode = status.Mode,
        Uid = status.Uid,
        Gid = status.Gid,
        AccessTime = status.AccessTime,
        ModifiedTime = status.ModifiedTime,
        ChangeTime = status.ChangeTime,
    };

    /// <summary>A copy under another name (rename of a non-directory).</summary>
    public OverlayNode CopyAs(long inode) => new()
    {
        Kind = Kind,
        Inode = inode,
        Content = Content,
        LinkTarget = LinkTarget,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        AccessTime = AccessTime,
        ModifiedTime = ModifiedTime,
        ChangeTime = ChangeTime,
        TimesSet = TimesSet,
    };

    public FileStatus Status() => new(
        Kind,
        Mode,
        Uid,
        Gid,
        MetadataOnly ? BaseStatus.Size : Kind == FileKind.Symlink ? System.Text.Encoding.UTF8.GetByteCount(LinkTarget) : Content.LongLength,
        Inode,
        MetadataOnly ? BaseStatus.LinkCount : Kind == FileKind.Directory ? 2 : 1,
        AccessTime,
        ModifiedTime,
        ChangeTime);
}
