namespace Sealer.Images.Opening;

/// <summary>How to open an image.</summary>
public sealed record ImageOpenOptions
{
    /// <summary>"raw", "qcow2", or null to probe (qcow2 magic, otherwise raw). An explicit "raw" is never overridden.</summary>
    public string? Format { get; init; }

    /// <summary>Open the top image for writing. Backing images are always read-only.</summary>
    public bool Writable { get; init; }

    /// <summary>Allow backing files outside the image's folder (absolute names or names escaping with "..").</summary>
    public bool AllowBacking { get; init; }
}
