namespace Sealer.Core.FileSystems;

/// <summary>The S_IFMT bits of a POSIX st_mode / ext4 i_mode.</summary>
public static class FileModeBits
{
    public static FileKind KindOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => FileKind.Regular,
        0x4000 => FileKind.Directory,
        0xA000 => FileKind.Symlink,
        0x2000 => FileKind.CharacterDevice,
        0x6000 => FileKind.BlockDevice,
        0x1000 => FileKind.Fifo,
        0xC000 => FileKind.Socket,
        _ => FileKind.Unknown,
    };
}
