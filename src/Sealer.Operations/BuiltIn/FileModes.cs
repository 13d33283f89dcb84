namespace Sealer.Operations.BuiltIn;

/// <summary>Permission sets for files the operations create.</summary>
internal static class FileModes
{
    public const UnixFileMode ReadOnly444 = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public const UnixFileMode Regular644 = ReadOnly444 | UnixFileMode.UserWrite;

    public const UnixFileMode Directory755 = Regular644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
}
