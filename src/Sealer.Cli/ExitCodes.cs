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

    /// <summary>What --help prints; the README's table says the same.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Descriptions =
    [
        (Success, "success (check: nothing identifies a machine)"),
        (Findings, "check found identifying data, or an operation failed (nothing was written)"),
        (Usage, "usage error (unknown verb or option, stray word, bad value)"),
        (InvalidImage, "invalid or unsupported image (the message names the structure and offset, or the feature)"),
        (ImageUnavailable, "image not found, in use, or not writable"),
        (InternalError, "internal error (a bug in Sealer; --verbose shows the stack trace)"),
    ];

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
