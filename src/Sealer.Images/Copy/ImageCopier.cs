using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Host;
using Sealer.Images.Qcow2;
using Sealer.Images.Raw;

namespace Sealer.Images.Copy;

/// <summary>
/// Writes a standalone copy of a device (a qcow2 chain comes out flattened). Only allocated ranges are read, and
/// all-zero blocks are skipped, so raw output stays sparse and qcow2 output stays small.
/// </summary>
public static class ImageCopier
{
    private const int ChunkSize = 1 << 20;
    private const int ZeroGranularity = 64 << 10;

    /// <summary>Copies <paramref name="source"/> to a new file (which must not exist) in <paramref name="format"/> ("raw" or "qcow2").</summary>
    public static void Copy(IBlockDevice source, string destinationPath, string format, IProgress<double>? progress)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destinationPath);
        if (format is not ("raw" or "qcow2"))
        {
            throw new UnsupportedFeatureException($"unsupported output format '{format}' (raw or qcow2)");
        }

        var ranges = source is IAllocationMap map ? map.GetAllocatedRanges().ToList() : [new ByteRange(0, source.Length)];
        var total = Math.Max(1, ranges.Sum(r => r.Length));
        var created = false;
        try
        {
            IBlockDevice destination;
            if (format == "raw")
            {
                var file = FileHostFile.Create(destinationPath);
                created = true;
                file.SetLength(source.Length);
                destination = new RawImage(file, writable: true);
            }
            else
            {
                Qcow2Creator.Create(destinationPath, source.Length);
                created = true;
                destination = new Qcow2Image(FileHostFile.Open(destinationPath, writable: true), writable: true) { FlushBetweenSteps = false };
            }

            using (destination)
            {
                CopyRanges(source, destination, ranges, total, progress);
                destination.Flush();
            }

            progress?.Report(1.0);
        }
        catch
        {
            // A failed copy leaves no half-written output behind.
            if (created)
            {
                File.Delete(destinationPath);
            }

            throw;
        }
    }

    private static void CopyRanges(IBlockDevice source, IBlockDevice destination, List<ByteRange> ranges, long total, IProgress<double>? progress)
    {
        var buffer = new byte[ChunkSize];
        long done = 0;
        foreach (var range in ranges)
        {
            var offset = range.Offset;
            while (offset < range.End)
            {
                // Align chunks to the zero-check granularity so skipped blocks line up with clusters.
                var alignedEnd = Math.Min(range.End, ((offset / ChunkSize) + 1) * ChunkSize);
                var length = (int)(alignedEnd - offset);
                var chunk = buffer.AsSpan(0, length);
                source.Read(offset, chunk);
                WriteNonZero(destination, offset, chunk);
                offset += length;
                done += length;
                progress?.Report((double)done / total);
            }
        }
    }

    private static void WriteNonZero(IBlockDevice destination, long offset, ReadOnlySpan<byte> chunk)
    {
        var position = 0;
        while (position < chunk.Length)
        {
            var blockEnd = (int)Math.Min(chunk.Length, (((offset + position) / ZeroGranularity) + 1) * ZeroGranularity - offset);
            var runStart = position;
            while (position < chunk.Length && chunk[position..blockEnd].ContainsAnyExcept((byte)0))
            {
                position = blockEnd;
                blockEnd = (int)Math.Min(chunk.Length, blockEnd + ZeroGranularity);
            }

            if (position > runStart)
            {
                destination.Write(offset + runStart, chunk[runStart..position]);
            }

            if (position < chunk.Length)
            {
                // Skip the all-zero block.
                position = blockEnd;
            }
        }
    }
}
