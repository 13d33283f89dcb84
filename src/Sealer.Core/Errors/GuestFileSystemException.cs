namespace Sealer.Core.Errors;

/// <summary>A guest file-system call failed with a POSIX-like <see cref="FsError"/> on <see cref="Path"/>.</summary>
public sealed class GuestFileSystemException(FsError code, string path, string message)
    : SealerException($"{message}: {path} ({code})")
{
    public FsError Code { get; } = code;

    public string Path { get; } = path;
}
