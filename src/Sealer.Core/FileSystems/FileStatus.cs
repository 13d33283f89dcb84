namespace Sealer.Core.FileSystems;

/// <summary>lstat(2)-like facts about a guest inode. Times are Unix seconds (UTC). <see cref="Device"/> tells apart the
/// file systems of one guest (st_dev-like: with <see cref="Inode"/> it names a directory once, so walks can detect a
/// directory reached twice); 0 when the file system does not say.</summary>
public readonly record struct FileStatus(
    FileKind Kind,
    UnixFileMode Mode,
    int Uid,
    int Gid,
    long Size,
    long Inode,
    int LinkCount,
    long AccessTime,
    long ModifiedTime,
    long ChangeTime,
    long Device = 0);
