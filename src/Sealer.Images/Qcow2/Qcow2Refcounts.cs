using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>
/// The refcount table and refcount blocks (qcow2.rst "Host cluster management"). Every change is written through to
/// the host file at once; callers order those writes against the mappings with barriers.
/// </summary>
internal sealed partial class Qcow2Refcounts
{
    private const int MaxCachedBlocks = 512;

    private readonly IHostFile _file;
    private readonly Qcow2Header _header;
    private readonly int _clusterBits;
    private readonly long _clusterSize;
    private readonly int _refcountBits;
    private readonly long _blockEntries;
    private readonly ulong _maxRefcount;
    private readonly Dictionary<long, byte[]> _blocks = [];
    private ulong[] _table;
    private long _freeSearchStart;
    private long _allocatedEnd;

    public Qcow2Refcounts(IHostFile file, Qcow2Header header)
    {
        _file = file;
        _header = header;
        _clusterBits = header.ClusterBits;
        _clusterSize = header.ClusterSize;
        _refcountBits = 1 << header.RefcountOrder;
        _blockEntries = _clusterSize * 8 / _refcountBits;
        _maxRefcount = _refcountBits == 64 ? ulong.MaxValue : (1UL << _refcountBits) - 1;
        _table = ReadTable(header.RefTableOffset, header.RefTableClusters);
    }

    /// <summary>Called between dependent writes (refcount before mapping, mapping before free).</summary>
    public Action Barrier { get; set; } = () => { };

    /// <summary>What each host cluster holds; consulted before a cluster with refcount 0 is handed out.</summary>
    public Qcow2ClusterUse? Use { get; set; }

    /// <summary>The refcount table entries (host offsets of the refcount blocks, 0 where none).</summary>
    public IReadOnlyList<ulong> Table => _table;

    public ulong GetRefcount(long cluster)
    {
        var tableIndex = cluster / _blockEntries;
        if (tableIndex >= _table.Length || _table[tableIndex] == 0)
        {
            return 0;
        }

        var block = GetBlock(tableIndex);
        return ReadEntry(block, cluster % _blockEntries);
    }

    /// <summary>Adds <paramref name="delta"/> (+1 or -1) to a cluster's refcount, writing the changed bytes through.</summary>
    public void Update(long cluster, int delta)
    {
        var tableIndex = cluster / _blockEntries;
        if (tableIndex >= _table.Length || _table[tableIndex] == 0)
        {
            if (delta < 0)
            {
                throw new InvalidImageException($"qcow2: refcount of cluster 0x{cluster << _clusterBits:x} would drop below zero (no refcount block)");
            }

            // Allocate() creates blocks before it hands out clusters, so this is a caller bug, not bad input.
            throw new InvalidOperationException($"qcow2: cluster 0x{cluster << _clusterBits:x} has no refcount block");
        }

        var block = GetBlock(tableIndex);
        var index = cluster % _blockEntries;
        var value = ReadEntry(block, index);
        if (delta < 0 && value == 0)
        {
            throw new InvalidImageException($"qcow2: refcount of cluster 0x{cluster << _clusterBits:x} would drop below zero");
        }

        if (delta > 0 && value == _maxRefcount)
        {
            throw new UnsupportedFeatureException($"qcow2: refcount of cluster 0x{cluster << _clusterBits:x} would overflow {_refcountBits}-bit refcounts");
        }

        value = delta > 0 ? value + 1 : value - 1;
        if (value == 0)
        {
            Use?.Freed(cluster);
        }

        WriteEntry(block, index, value);
        var byteStart = index * _refcountBits / 8;
        var byteCount = Math.Max(1, _refcountBits / 8);
        _file.Write((long)_table[tableIndex] + byteStart, block.AsSpan((int)byteStart, byteCount));
        if (value == 0 && cluster < _freeSearchStart)
        {
            _freeSearchStart = cluster;
        }
    }

    /// <summary>Finds a free cluster, gives it refcount 1 (written through, not yet flushed) and returns its host offset.</summary>
    public long Allocate()
    {
        for (var cluster = Math.Max(_freeSearchStart, 1); ; cluster++)
        {
            var tableIndex = cluster / _blockEntries;
            if (tableIndex >= _table.Length || _table[tableIndex] == 0)
            {
                // Uncovered range: place a self-covering refcount block here, then keep searching.
                EnsureBlock(tableIndex);
                cluster--;
                continue;
            }

            var refcount = GetRefcount(cluster);
            if (refcount != 0 && cluster > Math.Max(_allocatedEnd, (_file.Length + _clusterSize - 1) >> _clusterBits))
            {
                // Stops a crafted refcount table from sending the search over billions of "used" clusters.
                throw new InvalidImageException($"qcow2: refcount block 0x{_table[tableIndex]:x} marks cluster 0x{cluster << _clusterBits:x} past the end of the file as used");
            }

            if (refcount == 0)
            {
                RequireFree(cluster);
                Update(cluster, +1);
                _freeSearchStart = cluster + 1;
                _allocatedEnd = Math.Max(_allocatedEnd, cluster + 1);
                return cluster << _clusterBits;
            }
        }
    }

    /// <summary>Refuses a cluster whose refcount is 0 but which still holds metadata or mapped guest data (a refcount
    /// block that lies): handing it out would overwrite what is there.</summary>
    internal void RequireFree(long cluster)
    {
        var holds = Use?.UseOf(cluster);
        if (holds is not null)
        {
            throw new InvalidImageException($"qcow2: host cluster 0x{cluster << _clusterBits:x} has refcount 0 but holds {holds}; refusing to allocate it");
        }
    }

    /// <summary>Releases one reference; refcounts above one are only decremented (shared with snapshots).</summary>
    public void Release(long hostOffset) => Update(hostOffset >> _clusterBits, -1);

    private byte[] GetBlock(long tableIndex)
    {
        var offset = (long)_table[tableIndex];
        if (_blocks.TryGetValue(offset, out var block))
        {
            return block;
        }

        if (offset > _file.Length - _clusterSize)
        {
            throw new InvalidImageException($"qcow2: refcount block 0x{offset:x} (refcount table index {tableIndex}) passes the end of the file");
        }

        block = new byte[_clusterSize];
        _file.Read(offset, block);
        if (_blocks.Count >= MaxCachedBlocks)
        {
            _blocks.Clear();
        }

        _blocks[offset] = block;
        return block;
    }

    private ulong ReadEntry(byte[] block, long index)
    {
        switch (_refcountBits)
        {
            case 64: return BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan((int)(index * 8)));
            case 32: return BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan((int)(index * 4)));
            case 16: return BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan((int)(index * 2)));
            case 8: return block[index];
            default:
                var bit = index * _refcountBits;
                return (ulong)((block[bit / 8] >> (int)(bit % 8)) & (int)_maxRefcount);
        }
    }

    private void WriteEntry(byte[] block, long index, ulong value)
    {
        switch (_refcountBits)
        {
            case 64: BinaryPrimitives.WriteUInt64BigEndian(block.AsSpan((int)(index * 8)), value); break;
            case 32: BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan((int)(index * 4)), (uint)value); break;
            case 16: BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan((int)(index * 2)), (ushort)value); break;
            case 8: block[index] = (byte)value; break;
            default:
                var bit = index * _refcountBits;
                var shift = (int)(bit % 8);
                var mask = (int)_maxRefcount << shift;
                block[bit / 8] = (byte)((block[bit / 8] & ~mask) | (((int)value << shift) & mask));
                break;
        }
    }

    private ulong[] ReadTable(long offset, int clusters)
    {
        var bytes = (long)clusters * _clusterSize;
        if (offset > _file.Length - bytes)
        {
            throw new InvalidImageException($"qcow2: refcount table at 0x{offset:x} ({clusters} clusters) passes the end of the file");
        }

        var raw = new byte[bytes];
        _file.Read(offset, raw);
        var table = new ulong[bytes / 8];
        for (var i = 0; i < table.Length; i++)
        {
            var entry = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
            if ((entry & 0x1FF) != 0 || (entry & (ulong)(_clusterSize - 1)) != 0 || entry > (1UL << 56))
            {
                throw new InvalidImageException($"qcow2: refcount table entry {i} (0x{entry:x}) is not a cluster-aligned offset (table at 0x{offset:x})");
            }

            table[i] = entry;
        }

        return table;
    }
}
