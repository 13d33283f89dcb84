namespace Sealer.Core.FileSystems;

/// <summary>The type of a guest inode, as in the S_IFMT bits of st_mode.</summary>
public enum FileKind
{
    Unknown,
    Regular,
    Directory,
    Symlink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
}
