using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Host;
using Sealer.Images.Qcow2;
using Sealer.Images.Raw;

namespace Sealer.Images.Opening;

/// <summary>
/// Opens raw and qcow2 images and resolves qcow2 backing chains. Backing files are opened read-only and only when
/// they lie inside the image's folder, unless <see cref="ImageOpenOptions.AllowBacking"/> is set.
/// </summary>
public static class ImageOpener
{
    /// <summary>Opens the image at <paramref name="path"/>.</summary>
    public static OpenedImage Open(string path, ImageOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        var file = FileHostFile.Open(path, options.Writable);
        try
        {
            return OpenTop(file, options, ownsFile: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="top"/> as the top image (e.g. a transaction's recording wrapper). The caller keeps
    /// ownership of <paramref name="top"/>; backing files opened here are closed with the returned image.</summary>
    public static OpenedImage Open(IHostFile top, ImageOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(top);
        ArgumentNullException.ThrowIfNull(options);
        return OpenTop(top, options, ownsFile: false);
    }

    private static OpenedImage OpenTop(IHostFile file, ImageOpenOptions options, bool ownsFile)
    {
        var chain = new List<string> { file.Path ?? "(in-memory)" };
        var format = ResolveFormat(file, options.Format);
        var device = OpenDevice(file, format, options.Writable, options.AllowBacking, ownsFile, chain);
        return new OpenedImage(device, format, chain);
    }

    private static string ResolveFormat(IHostFile file, string? requested)
    {
        switch (requested)
        {
            case "raw":
                return "raw";
            case "qcow2":
                return "qcow2";
            case null:
                Span<byte> magic = stackalloc byte[4];
                if (file.Length < 4)
                {
                    return "raw";
                }

                file.Read(0, magic);
                return Qcow2Header.HasMagic(magic) ? "qcow2" : "raw";
            default:
                throw new UnsupportedFeatureException($"unsupported image format '{requested}' (raw or qcow2)");
        }
    }

    private static IBlockDevice OpenDevice(IHostFile file, string format, bool writable, bool allowBacking, bool ownsFile, List<string> chain)
    {
        if (format == "raw")
        {
            return new RawImage(file, writable, ownsFile);
        }

        var header = Qcow2Header.Read(file);
        IBlockDevice? backing = null;
        if (header.BackingFileName is not null)
        {
            backing = OpenBacking(file, header, allowBacking, chain);
        }

        try
        {
            return new Qcow2Image(file, header, writable, backing, ownsFile);
        }
        catch
        {
            backing?.Dispose();
            throw;
        }
    }

    private static IBlockDevice OpenBacking(IHostFile child, Qcow2Header header, bool allowBacking, List<string> chain)
    {
        var name = header.BackingFileName!;
        if (chain.Count >= Qcow2Features.MaxBackingChainDepth)
        {
            throw new UnsupportedFeatureException($"qcow2: backing chain is deeper than {Qcow2Features.MaxBackingChainDepth} images (at '{name}')");
        }

        var path = ResolveBackingPath(child, name, allowBacking);
        chain.Add(path);
        FileHostFile file;
        try
        {
            file = FileHostFile.Open(path, writable: false);
        }
        catch (ImageNotFoundException e)
        {
            throw new ImageNotFoundException(e.Message.StartsWith("image not found", StringComparison.Ordinal)
                ? $"backing image not found: {path} (named '{name}' in {child.Path})"
                : $"backing image (named '{name}' in {child.Path}): {e.Message}");
        }

        try
        {
            var format = header.BackingFormat switch
            {
                null => ResolveFormat(file, null),
                "raw" or "qcow2" => header.BackingFormat,
                _ => throw new UnsupportedFeatureException($"qcow2: unsupported backing format '{header.BackingFormat}' for {path}"),
            };
            return OpenDevice(file, format, writable: false, allowBacking, ownsFile: true, chain);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static string ResolveBackingPath(IHostFile child, string name, bool allowBacking)
    {
        if (name.Contains(':', StringComparison.Ordinal) && !name.StartsWith('/'))
        {
            throw new UnsupportedFeatureException($"qcow2: backing file '{name}' looks like a protocol or json: name, which is not supported");
        }

        var folder = child.Path is null ? null : Path.GetDirectoryName(child.Path);
        if (Path.IsPathRooted(name))
        {
            if (!allowBacking)
            {
                throw new UnsupportedFeatureException($"qcow2: backing file '{name}' is an absolute path; pass --allow-backing to open it");
            }

            return Path.GetFullPath(name);
        }

        if (folder is null)
        {
            throw new UnsupportedFeatureException($"qcow2: backing file '{name}' is relative but the image has no folder");
        }

        var resolved = Path.GetFullPath(Path.Combine(folder, name));
        var prefix = folder.EndsWith('/') ? folder : folder + "/";
        if (!resolved.StartsWith(prefix, StringComparison.Ordinal) && !allowBacking)
        {
            throw new UnsupportedFeatureException($"qcow2: backing file '{name}' resolves outside the image's folder ({resolved}); pass --allow-backing to open it");
        }

        return resolved;
    }
}
