namespace Sealer.Lvm;

/// <summary>A segment of an LV: <see cref="ExtentCount"/> logical extents from <see cref="StartExtent"/>.</summary>
public sealed class LogicalVolumeSegment
{
    internal LogicalVolumeSegment(string name, long startExtent, long extentCount, string type, long stripeSize, IReadOnlyList<StripeArea> stripes)
    {
        Name = name;
        StartExtent = startExtent;
        ExtentCount = extentCount;
        Type = type;
        StripeSize = stripeSize;
        Stripes = stripes;
    }

    public string Name { get; }

    public long StartExtent { get; }

    public long ExtentCount { get; }

    /// <summary>The segment type as the metadata names it ("striped" for linear and striped).</summary>
    public string Type { get; }

    /// <summary>The stripe (chunk) size in 512-byte sectors; 0 for a single stripe.</summary>
    public long StripeSize { get; }

    /// <summary>The stripes of a striped segment (one for a linear one); empty for other types.</summary>
    public IReadOnlyList<StripeArea> Stripes { get; }

    /// <summary>Extents each stripe contributes.</summary>
    public long AreaLength => Stripes.Count == 0 ? 0 : ExtentCount / Stripes.Count;
}
