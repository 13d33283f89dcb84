namespace Sealer.Core.Errors;

/// <summary>A guest file-system call failed with a POSIX-like <see cref="FsError"/> on <see cref="Path"/> (the message
/// shows the path abbreviated to one readable line).</summary>
public sealed class GuestFileSystemException(FsError code, string path, string message)
    : SealerException($"{message}: {FileSystems.PosixPath.Abbreviate(path)} ({code})")
{
    public FsError Code { get; } = code;

    public string Path { get; } = path;
}
