using Sealer.TestSupport;

namespace Sealer.Images.Tests.Support;

/// <summary>One kind of qcow2 image made by qemu-img convert from a raw file.</summary>
public sealed record Qcow2Variant(string Name, string Options, bool Compress = false)
{
    public const int ImageSize = 8 << 20;

    public static IEnumerable<Qcow2Variant> ForReading() =>
    [
        new("v2-compat0.10", "compat=0.10"),
        new("v3-512B", "compat=1.1,cluster_size=512"),
        new("v3-64K", "compat=1.1,cluster_size=65536"),
        new("v3-2M", "compat=1.1,cluster_size=2097152"),
        new("deflate", "compat=1.1", Compress: true),
        new("zstd", "compat=1.1,compression_type=zstd", Compress: true),
        new("v2-deflate", "compat=0.10", Compress: true),
        new("refcount1", "refcount_bits=1"),
        new("refcount16", "refcount_bits=16"),
        new("refcount64", "refcount_bits=64"),
        new("extended-l2", "extended_l2=on,cluster_size=65536"),
        new("extended-l2-zstd", "extended_l2=on,compression_type=zstd", Compress: true),
    ];

    public static IEnumerable<Qcow2Variant> ForWriting() => ForReading().Where(v => !v.Options.Contains("extended_l2", StringComparison.Ordinal));

    /// <summary>Writes <paramref name="content"/> to a raw file and converts it; returns the qcow2 path.</summary>
    public string Make(TempDirectory temp, byte[] content, string name = "image.qcow2")
    {
        var raw = temp.File($"{name}.src.raw");
        File.WriteAllBytes(raw, content);
        var path = temp.File(name);
        var args = new List<string> { "convert" };
        if (Compress)
        {
            args.Add("-c");
        }

        args.AddRange(["-O", "qcow2", "-o", Options, raw, path]);
        Qemu.Img([.. args]);
        File.Delete(raw);
        return path;
    }

    public override string ToString() => Name;
}
