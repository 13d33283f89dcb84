using Sealer.Core.IO;

namespace Sealer.Images.Opening;

/// <summary>An opened image (with its whole backing chain). Disposing it closes every file it opened.</summary>
public sealed class OpenedImage : IDisposable
{
    internal OpenedImage(IBlockDevice device, string format, IReadOnlyList<string> chain)
    {
        Device = device;
        Format = format;
        Chain = chain;
    }

    /// <summary>The guest-visible disk.</summary>
    public IBlockDevice Device { get; }

    /// <summary>Format of the top image: "raw" or "qcow2".</summary>
    public string Format { get; }

    /// <summary>The image files, top first, then each backing file.</summary>
    public IReadOnlyList<string> Chain { get; }

    public void Dispose() => Device.Dispose();
}
