namespace Sealer.Core.FileSystems;

/// <summary>lstat(2)-like facts about a guest inode. Times are Unix seconds (UTC).</summary>
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
    long ChangeTime);
