using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>
/// What every host cluster of a writable qcow2 holds, built once before the first write (qemu's metadata overlap
/// checks, done before anything is written): which clusters are metadata (header, L1, refcount table and blocks, L2
/// tables, snapshot table and snapshot L1s, bitmap directory, bitmap tables and bitmap data), and which hold guest data
/// for one or for more than one L2 entry. The write path asks it before every write in place, before every release and
/// before every allocation, so guest data never lands on metadata or on a cluster another entry still maps. Memory: a
/// dictionary entry per metadata cluster, one bit per referenced data cluster in sparse chunks.
/// </summary>
internal sealed class Qcow2ClusterUse
{
    private const long MaxBitmapDirectoryBytes = 64L << 20;
    private const long MaxBitmapTableBytes = 64L << 20;

    private readonly Dictionary<long, Metadata> _metadata = [];
    private readonly SparseClusterBits _data = new();
    private readonly SparseClusterBits _compressed = new();
    private readonly SparseClusterBits _shared = new();
    private readonly int _clusterBits;
    private readonly long _clusterSize;

    private Qcow2ClusterUse(int clusterBits)
    {
        _clusterBits = clusterBits;
        _clusterSize = 1L << clusterBits;
    }

    /// <summary>The kinds of metadata, named as in qcow2.rst.</summary>
    internal enum Kind
    {
        Header,
        L1Table,
        RefcountTable,
        RefcountBlock,
        L2Table,
        SnapshotTable,
        SnapshotL1Table,
        BitmapDirectory,
        BitmapTable,
        BitmapData,
    }

    /// <summary>Reads every table of the image (all L1 tables, every L2 table they reach, the bitmaps) and checks that
    /// no two metadata structures share a cluster and that every table lies inside the file.</summary>
    public static Qcow2ClusterUse Build(IHostFile file, Qcow2Header header, ulong[] activeL1, IReadOnlyList<ulong> refcountTable)
    {
        var use = new Qcow2ClusterUse(header.ClusterBits);
        var fileLength = file.Length;
        use.Mark(0, 1, Kind.Header, 0);
        use.MarkBytes(header.L1TableOffset, (long)header.L1Size * 8, Kind.L1Table, header.L1TableOffset);
        use.MarkBytes(header.RefTableOffset, (long)header.RefTableClusters * header.ClusterSize, Kind.RefcountTable, header.RefTableOffset);
        for (var i = 0; i < refcountTable.Count; i++)
        {
            var block = (long)refcountTable[i];
            if (block == 0)
            {
                continue;
            }

            if (block > fileLength - header.ClusterSize)
            {
                throw new InvalidImageException($"qcow2: refcount block 0x{block:x} (refcount table entry {i}) lies outside the file");
            }

            use.Mark(block >> header.ClusterBits, 1, Kind.RefcountBlock, block);
        }

        var l1Tables = new List<(ulong[] Table, string Owner)> { (activeL1, "active L1") };
        var snapshots = Qcow2Snapshot.ReadTable(file, header, out var snapshotTableLength);
        if (snapshots.Count > 0)
        {
            use.MarkBytes(header.SnapshotsOffset, snapshotTableLength, Kind.SnapshotTable, header.SnapshotsOffset);
        }

        foreach (var snapshot in snapshots)
        {
            var bytes = (long)snapshot.L1Size * 8;
            if (snapshot.L1Offset > fileLength - bytes)
            {
                throw new InvalidImageException($"qcow2: L1 table of snapshot '{snapshot.Name}' at 0x{snapshot.L1Offset:x} lies outside the file");
            }

            use.MarkBytes(snapshot.L1Offset, bytes, Kind.SnapshotL1Table, snapshot.L1Offset);
            var raw = new byte[bytes];
            file.Read(snapshot.L1Offset, raw);
            var table = new ulong[snapshot.L1Size];
            for (var i = 0; i < table.Length; i++)
            {
                table[i] = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
            }

            l1Tables.Add((table, $"L1 of snapshot '{snapshot.Name}'"));
        }

        use.MarkBitmaps(file, header);
        use.ScanL2Tables(file, header, l1Tables);
        return use;
    }

    /// <summary>The metadata structure holding host cluster <paramref name="cluster"/>, e.g. "the L1 table at 0x30000"; null for data or free clusters.</summary>
    public string? MetadataAt(long cluster) =>
        _metadata.TryGetValue(cluster, out var m) ? $"{Describe(m.Kind)} at 0x{m.Offset:x}" : null;

    /// <summary>Why <paramref name="cluster"/> is not free even though its refcount is 0 (null when it really is free).</summary>
    public string? UseOf(long cluster)
    {
        var metadata = MetadataAt(cluster);
        if (metadata is not null)
        {
            return metadata;
        }

        return _data.Get(cluster) || _compressed.Get(cluster) ? "guest data mapped by an L2 entry" : null;
    }

    /// <summary>True when more than one L2 entry (of any L1 table, compressed ones included) maps the cluster.</summary>
    public bool IsShared(long cluster) => _shared.Get(cluster);

    public void AddMetadata(long hostOffset, long bytes, Kind kind) => MarkBytes(hostOffset, bytes, kind, hostOffset);

    public void AddData(long hostOffset) => _data.Set(hostOffset >> _clusterBits);

    /// <summary>A cluster's refcount dropped to 0: it no longer holds anything. Refused when another entry still maps it.</summary>
    public void Freed(long cluster)
    {
        if (_shared.Get(cluster))
        {
            throw new InvalidImageException($"qcow2: refcount of host cluster 0x{cluster << _clusterBits:x} would drop to 0 while another L2 entry still maps it (refcount too low)");
        }

        _metadata.Remove(cluster);
        _data.Clear(cluster);
        _compressed.Clear(cluster);
    }

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Header => "the qcow2 header",
        Kind.L1Table => "the L1 table",
        Kind.RefcountTable => "the refcount table",
        Kind.RefcountBlock => "a refcount block",
        Kind.L2Table => "an L2 table",
        Kind.SnapshotTable => "the snapshot table",
        Kind.SnapshotL1Table => "a snapshot's L1 table",
        Kind.BitmapDirectory => "the bitmap directory",
        Kind.BitmapTable => "a bitmap table",
        _ => "a bitmap data cluster",
    };

    private void MarkBytes(long offset, long bytes, Kind kind, long structureOffset)
    {
        if (bytes <= 0)
        {
            return;
        }

        var first = offset >> _clusterBits;
        var last = (offset + bytes - 1) >> _clusterBits;
        Mark(first, last - first + 1, kind, structureOffset);
    }

    private void Mark(long firstCluster, long count, Kind kind, long structureOffset)
    {
        for (var c = firstCluster; c < firstCluster + count; c++)
        {
            if (_metadata.TryGetValue(c, out var existing))
            {
                // One L2 table reached from two L1 tables (a snapshot) is normal; every other overlap is corruption.
                if (existing.Kind == kind && existing.Offset == structureOffset && kind == Kind.L2Table)
                {
                    continue;
                }

                throw new InvalidImageException(
                    $"qcow2: {Describe(kind)} at 0x{structureOffset:x} overlaps {Describe(existing.Kind)} at 0x{existing.Offset:x} (host cluster 0x{c << _clusterBits:x})");
            }

            _metadata[c] = new Metadata(kind, structureOffset);
        }
    }

    private void ScanL2Tables(IHostFile file, Qcow2Header header, List<(ulong[] Table, string Owner)> l1Tables)
    {
        var scanned = new HashSet<long>();
        var raw = new byte[_clusterSize];
        var entries = (int)(_clusterSize / (header.ExtendedL2 ? 16 : 8));
        var wordsPerEntry = header.ExtendedL2 ? 2 : 1;
        var fileLength = file.Length;
        foreach (var (table, owner) in l1Tables)
        {
            for (var i = 0; i < table.Length; i++)
            {
                var entry = table[i];
                if ((entry & Qcow2Entry.L1Reserved) != 0 || ((entry & Qcow2Entry.OffsetMask) & (ulong)(_clusterSize - 1)) != 0)
                {
                    throw new InvalidImageException($"qcow2: {owner} entry {i} (0x{entry:x}) has reserved bits set or an unaligned L2 offset");
                }

                var l2 = (long)(entry & Qcow2Entry.OffsetMask);
                if (l2 == 0)
                {
                    continue;
                }

                if (l2 > fileLength - _clusterSize)
                {
                    throw new InvalidImageException($"qcow2: L2 table 0x{l2:x} ({owner} entry {i}) lies outside the file");
                }

                Mark(l2 >> _clusterBits, 1, Kind.L2Table, l2);
                if (!scanned.Add(l2))
                {
                    continue;
                }

                file.Read(l2, raw);
                for (var e = 0; e < entries; e++)
                {
                    AddReference(BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(e * wordsPerEntry * 8)));
                }
            }
        }
    }

    private void AddReference(ulong entry)
    {
        if ((entry & Qcow2Entry.Compressed) != 0)
        {
            var sizeShift = 62 - (_clusterBits - 8);
            var start = (long)(entry & ((1UL << sizeShift) - 1));
            var sectors = (long)((entry >> sizeShift) & ((1UL << (_clusterBits - 8)) - 1)) + 1;
            var end = (start & ~511L) + (sectors * 512);
            for (var c = start >> _clusterBits; c <= (end - 1) >> _clusterBits; c++)
            {
                // Compressed clusters may share a host cluster with each other, never with a normal cluster.
                if (_data.Get(c))
                {
                    _shared.Set(c);
                }

                _compressed.Set(c);
            }

            return;
        }

        var host = (long)(entry & Qcow2Entry.OffsetMask);
        if (host == 0)
        {
            return;
        }

        var cluster = host >> _clusterBits;
        if (_data.Get(cluster) || _compressed.Get(cluster))
        {
            _shared.Set(cluster);
        }

        _data.Set(cluster);
    }

    /// <summary>The bitmaps extension (qcow2.rst "Bitmaps extension"): its directory, each bitmap table and the data
    /// clusters those tables point at are metadata that guest data must never overwrite.</summary>
    private void MarkBitmaps(IHostFile file, Qcow2Header header)
    {
        var data = new byte[24];
        foreach (var extension in header.Extensions)
        {
            if (extension.Type != Qcow2Features.ExtensionBitmaps)
            {
                continue;
            }

            if (extension.Length < 24)
            {
                throw new InvalidImageException($"qcow2: bitmaps extension is {extension.Length} bytes, needs 24 (offset 0x{extension.Offset:x})");
            }

            file.Read(extension.Offset, data);
            var count = BinaryPrimitives.ReadUInt32BigEndian(data);
            var directorySize = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(8));
            var directoryOffset = BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(16));
            if (count == 0)
            {
                continue;
            }

            if (directorySize is 0 or > MaxBitmapDirectoryBytes || (directoryOffset & (ulong)(_clusterSize - 1)) != 0
                || directoryOffset > (ulong)file.Length || directorySize > (ulong)file.Length - directoryOffset)
            {
                throw new InvalidImageException($"qcow2: bitmap directory at 0x{directoryOffset:x} ({directorySize} bytes) is unaligned or outside the file (extension at 0x{extension.Offset:x})");
            }

            MarkBytes((long)directoryOffset, (long)directorySize, Kind.BitmapDirectory, (long)directoryOffset);
            var directory = new byte[directorySize];
            file.Read((long)directoryOffset, directory);
            var position = 0;
            for (var i = 0; i < count; i++)
            {
                if (position > directory.Length - 24)
                {
                    throw new InvalidImageException($"qcow2: bitmap directory entry {i} passes the end of the directory at 0x{directoryOffset:x}");
                }

                var tableOffset = BinaryPrimitives.ReadUInt64BigEndian(directory.AsSpan(position));
                var tableSize = BinaryPrimitives.ReadUInt32BigEndian(directory.AsSpan(position + 8));
                var nameSize = BinaryPrimitives.ReadUInt16BigEndian(directory.AsSpan(position + 18));
                var extraSize = BinaryPrimitives.ReadUInt32BigEndian(directory.AsSpan(position + 20));
                MarkBitmapTable(file, tableOffset, tableSize, i);
                position = checked((int)((position + 24L + extraSize + nameSize + 7) & ~7L));
            }
        }
    }

    private void MarkBitmapTable(IHostFile file, ulong tableOffset, uint tableSize, int index)
    {
        var bytes = (ulong)tableSize * 8;
        if (tableSize == 0 || bytes > MaxBitmapTableBytes || (tableOffset & (ulong)(_clusterSize - 1)) != 0
            || tableOffset > (ulong)file.Length || bytes > (ulong)file.Length - tableOffset)
        {
            throw new InvalidImageException($"qcow2: bitmap {index} table at 0x{tableOffset:x} ({tableSize} entries) is unaligned or outside the file");
        }

        MarkBytes((long)tableOffset, (long)bytes, Kind.BitmapTable, (long)tableOffset);
        var raw = new byte[bytes];
        file.Read((long)tableOffset, raw);
        for (var e = 0; e < (int)tableSize; e++)
        {
            var cluster = (long)(BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(e * 8)) & Qcow2Entry.OffsetMask);
            if (cluster == 0)
            {
                continue;
            }

            if ((cluster & (_clusterSize - 1)) != 0 || cluster >= file.Length)
            {
                throw new InvalidImageException($"qcow2: bitmap {index} data cluster 0x{cluster:x} (table at 0x{tableOffset:x}, entry {e}) is unaligned or outside the file");
            }

            MarkBytes(cluster, _clusterSize, Kind.BitmapData, cluster);
        }
    }

    private readonly record struct Metadata(Kind Kind, long Offset);

    /// <summary>One bit per host cluster, in 64 Ki-cluster chunks allocated on first use.</summary>
    private sealed class SparseClusterBits
    {
        private const int ChunkBits = 16;
        private readonly Dictionary<long, ulong[]> _chunks = [];

        public bool Get(long cluster) =>
            _chunks.TryGetValue(cluster >> ChunkBits, out var chunk) && (chunk[(cluster & 0xFFFF) >> 6] & (1UL << (int)(cluster & 63))) != 0;

        public void Set(long cluster)
        {
            if (!_chunks.TryGetValue(cluster >> ChunkBits, out var chunk))
            {
                chunk = new ulong[(1 << ChunkBits) / 64];
                _chunks[cluster >> ChunkBits] = chunk;
            }

            chunk[(cluster & 0xFFFF) >> 6] |= 1UL << (int)(cluster & 63);
        }

        public void Clear(long cluster)
        {
            if (_chunks.TryGetValue(cluster >> ChunkBits, out var chunk))
            {
                chunk[(cluster & 0xFFFF) >> 6] &= ~(1UL << (int)(cluster & 63));
            }
        }
    }
}
