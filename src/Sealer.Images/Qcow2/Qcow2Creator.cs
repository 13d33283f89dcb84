using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>Creates new qcow2 v3 images: empty standalone ones and thin overlays over a backing image.</summary>
public static class Qcow2Creator
{
    private const int HeaderLength = 112;

    /// <summary>Creates an empty standalone qcow2 v3 image (16-bit refcounts, deflate). Fails if the file exists.</summary>
    public static void Create(string path, long virtualSize, int clusterBits = 16) =>
        CreateImage(path, virtualSize, clusterBits, backingName: null, backingFormat: null);

    /// <summary>
    /// Creates a thin qcow2 v3 overlay over <paramref name="backingPath"/>. The backing-format extension is always
    /// written; the backing name is relative to the overlay's folder when the backing lies inside it, else absolute.
    /// </summary>
    public static void CreateOverlay(string path, string backingPath, string backingFormat, long virtualSize)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(backingPath);
        if (backingFormat is not ("raw" or "qcow2"))
        {
            throw new UnsupportedFeatureException($"qcow2: unsupported backing format '{backingFormat}' (raw or qcow2)");
        }

        var backingFull = Path.GetFullPath(backingPath);
        if (!File.Exists(backingFull))
        {
            throw new ImageNotFoundException($"backing image not found: {backingPath}");
        }

        var overlayFolder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        var relative = Path.GetRelativePath(overlayFolder, backingFull);
        var insideFolder = !Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith("../", StringComparison.Ordinal);
        CreateImage(path, virtualSize, 16, insideFolder ? relative : backingFull, backingFormat);
    }

    private static void CreateImage(string path, long virtualSize, int clusterBits, string? backingName, string? backingFormat)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(virtualSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusterBits, Qcow2Features.MinClusterBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clusterBits, Qcow2Features.MaxClusterBits);
        var clusterSize = 1L << clusterBits;
        var guestClusters = (virtualSize + clusterSize - 1) >> clusterBits;
        var l1Entries = Math.Max(1, (guestClusters + (clusterSize / 8) - 1) / (clusterSize / 8));
        if (l1Entries * 8 > Qcow2Features.MaxL1Bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(virtualSize), $"qcow2: virtual size {virtualSize} needs an L1 table over 32 MiB with {clusterSize}-byte clusters");
        }

        var l1Clusters = ((l1Entries * 8) + clusterSize - 1) / clusterSize;
        var blockEntries = clusterSize * 8 / 16;
        long tableClusters = 1, blockClusters = 1;
        while (true)
        {
            var total = 1 + tableClusters + blockClusters + l1Clusters;
            var neededBlocks = (total + blockEntries - 1) / blockEntries;
            var neededTable = ((neededBlocks * 8) + clusterSize - 1) / clusterSize;
            if (neededBlocks == blockClusters && neededTable == tableClusters)
            {
                break;
            }

            blockClusters = neededBlocks;
            tableClusters = neededTable;
        }

        var tableOffset = clusterSize;
        var blocksOffset = tableOffset + (tableClusters * clusterSize);
        var l1Offset = blocksOffset + (blockClusters * clusterSize);
        var usedClusters = 1 + tableClusters + blockClusters + l1Clusters;

        var cluster0 = BuildHeaderCluster(clusterSize, clusterBits, virtualSize, l1Entries, l1Offset, tableOffset, tableClusters, backingName, backingFormat);
        var table = new byte[tableClusters * clusterSize];
        for (var i = 0; i < blockClusters; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(table.AsSpan(i * 8), (ulong)(blocksOffset + (i * clusterSize)));
        }

        var blocks = new byte[blockClusters * clusterSize];
        for (var c = 0; c < usedClusters; c++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(blocks.AsSpan(c * 2), 1);
        }

        using var file = FileHostFile.Create(path);
        file.Write(0, cluster0);
        file.Write(tableOffset, table);
        file.Write(blocksOffset, blocks);

        // The L1 table starts all zero: extend the file over it and leave it sparse.
        file.SetLength(l1Offset + (l1Entries * 8));
        file.Flush();
    }

    private static byte[] BuildHeaderCluster(
        long clusterSize, int clusterBits, long virtualSize, long l1Entries, long l1Offset, long tableOffset, long tableClusters,
        string? backingName, string? backingFormat)
    {
        var cluster0 = new byte[clusterSize];
        var h = cluster0.AsSpan();
        Qcow2Header.Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x04..], 3);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x14..], (uint)clusterBits);
        BinaryPrimitives.WriteUInt64BigEndian(h[0x18..], (ulong)virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x24..], (uint)l1Entries);
        BinaryPrimitives.WriteUInt64BigEndian(h[0x28..], (ulong)l1Offset);
        BinaryPrimitives.WriteUInt64BigEndian(h[0x30..], (ulong)tableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x38..], (uint)tableClusters);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x60..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(h[0x64..], HeaderLength);
        var position = HeaderLength;
        if (backingFormat is not null && backingName is not null)
        {
            var format = Encoding.ASCII.GetBytes(backingFormat);
            BinaryPrimitives.WriteUInt32BigEndian(h[position..], Qcow2Features.ExtensionBackingFormat);
            BinaryPrimitives.WriteUInt32BigEndian(h[(position + 4)..], (uint)format.Length);
            format.CopyTo(h[(position + 8)..]);
            position += 8 + ((format.Length + 7) & ~7);

            // End-of-extensions marker (8 zero bytes), then the backing file name.
            position += 8;
            var name = Encoding.UTF8.GetBytes(backingName);
            if (name.Length > Qcow2Features.MaxBackingNameLength || position + name.Length > clusterSize)
            {
                throw new ArgumentException($"qcow2: backing file name is too long ({name.Length} bytes): {backingName}", nameof(backingName));
            }

            name.CopyTo(h[position..]);
            BinaryPrimitives.WriteUInt64BigEndian(h[0x08..], (ulong)position);
            BinaryPrimitives.WriteUInt32BigEndian(h[0x10..], (uint)name.Length);
        }

        return cluster0;
    }
}
