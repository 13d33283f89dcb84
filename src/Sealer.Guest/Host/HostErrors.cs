using Sealer.Core.Errors;

namespace Sealer.Guest.Host;

/// <summary>Turns a host errno into the guest error vocabulary.</summary>
internal static class HostErrors
{
    public static Exception FromErrno(int errno, string path, string action)
    {
        var code = errno switch
        {
            HostNative.ENoEnt => FsError.NotFound,
            HostNative.ENotDir => FsError.NotADirectory,
            HostNative.EIsDir => FsError.IsADirectory,
            HostNative.EExist => FsError.AlreadyExists,
            HostNative.ENotEmpty => FsError.DirectoryNotEmpty,
            HostNative.ENoSpc => FsError.NoSpace,
            HostNative.ERoFs => FsError.ReadOnly,
            HostNative.EMLink => FsError.TooManyLinks,
            HostNative.ELoop => FsError.SymlinkLoop,
            HostNative.EXDev => FsError.CrossDevice,
            HostNative.ENameTooLong or HostNative.EInval => FsError.InvalidPath,
            HostNative.EPerm or HostNative.EAcces => FsError.ReadOnly,
            _ => FsError.Corrupt,
        };
        var reason = errno is HostNative.EPerm or HostNative.EAcces ? "permission denied on the host" : $"errno {errno}";
        return new GuestFileSystemException(code, path, $"hostdir: cannot {action} ({reason})");
    }

    public static GuestFileSystemException Error(FsError code, string path, string message) =>
        new(code, path, $"hostdir: {message}");
}
