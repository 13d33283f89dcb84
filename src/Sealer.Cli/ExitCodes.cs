using Sealer.Core.Errors;
using Sealer.Guest.Inspection;

namespace Sealer.Cli;

/// <summary>The documented exit codes (README, "Exit codes").</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Findings = 1;
    public const int OperationFailed = 1;
    public const int Usage = 2;
    public const int InvalidImage = 3;
    public const int ImageUnavailable = 4;
    public const int InternalError = 70;

    /// <summary>The exit code for an error; a bug in Sealer itself is 70 (EX_SOFTWARE).</summary>
    public static int ForException(Exception e) => e switch
    {
        UsageException or Operations.OperationSelectionException or Operations.SealOptionException => Usage,
        InvalidImageException or UnsupportedFeatureException or GuestAssemblyException => InvalidImage,
        ImageNotFoundException or ImageBusyException => ImageUnavailable,
        GuestFileSystemException { Code: FsError.Corrupt } => InvalidImage,
        SealerException => OperationFailed,
        UnauthorizedAccessException or IOException => ImageUnavailable,
        _ => InternalError,
    };
}
