using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>
/// A bounded cache of L2 tables, decoded to host-endian words. Entries are written through by the image, which
/// calls <see cref="Update"/> so a cached copy never goes stale.
/// </summary>
internal sealed class Qcow2L2Cache
{
    private readonly IHostFile _file;
    private readonly int _clusterSize;
    private readonly int _capacity;
    private readonly Dictionary<long, Slot> _tables = [];
    private readonly byte[] _readBuffer;
    private long _clock;
    private long _lastOffset = -1;
    private ulong[]? _lastTable;

    public Qcow2L2Cache(IHostFile file, int clusterSize)
    {
        _file = file;
        _clusterSize = clusterSize;
        _capacity = Math.Clamp((8 << 20) / clusterSize, 8, 1024);
        _readBuffer = new byte[clusterSize];
    }

    /// <summary>Returns the L2 table at <paramref name="offset"/> (already validated as cluster-aligned).</summary>
    public ulong[] Get(long offset, long l1Index)
    {
        if (offset == _lastOffset && _lastTable is not null)
        {
            return _lastTable;
        }

        if (_tables.TryGetValue(offset, out var slot))
        {
            slot.LastUse = ++_clock;
        }
        else
        {
            slot = new Slot(Load(offset, l1Index)) { LastUse = ++_clock };
            if (_tables.Count >= _capacity)
            {
                EvictOldest();
            }

            _tables[offset] = slot;
        }

        _lastOffset = offset;
        _lastTable = slot.Table;
        return slot.Table;
    }

    /// <summary>Puts a table the image has just written (a new or copied L2 table).</summary>
    public void Put(long offset, ulong[] table)
    {
        if (_tables.Count >= _capacity && !_tables.ContainsKey(offset))
        {
            EvictOldest();
        }

        _tables[offset] = new Slot(table) { LastUse = ++_clock };
        _lastOffset = -1;
        _lastTable = null;
    }

    /// <summary>Keeps a cached copy in step with one entry word the image wrote to disk.</summary>
    public void Update(long offset, int wordIndex, ulong value)
    {
        if (_tables.TryGetValue(offset, out var slot))
        {
            slot.Table[wordIndex] = value;
        }
    }

    public void Forget(long offset)
    {
        _tables.Remove(offset);
        if (_lastOffset == offset)
        {
            _lastOffset = -1;
            _lastTable = null;
        }
    }

    private ulong[] Load(long offset, long l1Index)
    {
        if (offset > _file.Length - _clusterSize)
        {
            throw new InvalidImageException($"qcow2: L2 table offset 0x{offset:x} passes the end of the file (L1 index {l1Index})");
        }

        _file.Read(offset, _readBuffer);
        var table = new ulong[_clusterSize / 8];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = BinaryPrimitives.ReadUInt64BigEndian(_readBuffer.AsSpan(i * 8));
        }

        return table;
    }

    private void EvictOldest()
    {
        var oldestKey = -1L;
        var oldestUse = long.MaxValue;
        foreach (var (key, slot) in _tables)
        {
            if (slot.LastUse < oldestUse)
            {
                oldestUse = slot.LastUse;
                oldestKey = key;
            }
        }

        Forget(oldestKey);
    }

    private sealed class Slot(ulong[] table)
    {
        public ulong[] Table { get; } = table;

        public long LastUse { get; set; }
    }
}
