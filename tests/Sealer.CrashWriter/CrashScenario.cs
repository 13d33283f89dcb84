using Sealer.Core.IO;
using Sealer.Images.Host;
using Sealer.Images.Opening;

namespace Sealer.CrashWriter;

/// <summary>The fixed image and change set the crash test commits: unaligned writes across pages, growth and a shrink.</summary>
public static class CrashScenario
{
    public const int ImageSize = 256 * 1024;

    public static byte[] InitialImage()
    {
        var bytes = new byte[ImageSize];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes the change set through <paramref name="file"/> (the recording view during a commit).</summary>
    public static void WriteChanges(IHostFile file)
    {
        var random = new Random(5678);
        Write(file, random, 100, 5000);
        Write(file, random, 40_000, 9000);
        Write(file, random, 131_071, 2);
        Write(file, random, ImageSize - 10, 20_000);
        file.SetLength(file.Length - 3000);
        Write(file, random, 200_000, 1);

        // Cut below the original size, then grow again: the old tail must come back as zeros, not as old data.
        file.SetLength(ImageSize - 5000);
        Write(file, random, ImageSize + 1000, 50);
    }

    /// <summary>Guest-visible writes for the qcow2 variant: cluster-spanning, unaligned, and into unallocated clusters.</summary>
    public static void WriteGuest(IBlockDevice disk)
    {
        var random = new Random(91011);
        foreach (var (offset, length) in new[] { (0L, 4096), ((1L << 20) + 100, 70_000), ((15L << 20) + 7, 1) })
        {
            var data = new byte[length];
            random.NextBytes(data);
            disk.Write(offset, data);
        }

        disk.Flush();
    }

    /// <summary>Opens the qcow2 image over the recording host file (as the sealing pipeline does) and writes the guest changes.</summary>
    public static void WriteQcow2Changes(IHostFile file)
    {
        using var image = ImageOpener.Open(file, new ImageOpenOptions { Format = "qcow2", Writable = true });
        WriteGuest(image.Device);
    }

    private static void Write(IHostFile file, Random random, long offset, int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        file.Write(offset, data);
    }
}
