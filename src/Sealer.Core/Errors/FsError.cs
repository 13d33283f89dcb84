namespace Sealer.Core.Errors;

/// <summary>POSIX-like error codes for guest file-system operations.</summary>
public enum FsError
{
    NotFound,
    NotADirectory,
    IsADirectory,
    AlreadyExists,
    DirectoryNotEmpty,
    NoSpace,
    ReadOnly,
    TooManyLinks,
    SymlinkLoop,
    InvalidPath,
    CrossDevice,
    Corrupt,
}
