using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Ext4;

/// <summary>
/// Write-back cache of metadata blocks (superblock, descriptors, bitmaps, inode tables, directory and map blocks).
/// Every mutating operation runs between <see cref="Begin"/> and <see cref="Commit"/>; <see cref="Rollback"/>
/// restores the blocks it changed, so a failed operation leaves no trace. Dirty blocks only reach the device in
/// <see cref="Flush"/>, which runs between operations.
/// </summary>
internal sealed class BlockCache(IBlockDevice device, int blockSize, long blockCount)
{
    private const int CleanLimit = 8192;
    private const int DirtyLimit = 4096;

    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Dictionary<long, Entry?> _undo = [];
    private bool _inOperation;

    public int BlockSize => blockSize;

    public IBlockDevice Device => device;

    /// <summary>The block's bytes; callers must not modify them (use <see cref="GetForWrite"/>).</summary>
    public byte[] Get(long block)
    {
        if (_entries.TryGetValue(block, out var entry))
        {
            return entry.Data;
        }

        CheckBlock(block);
        var data = new byte[blockSize];
        device.Read(block * blockSize, data);
        _entries[block] = new Entry(data, false);
        return data;
    }

    /// <summary>Called with every block about to be changed in place (the ownership guard); unset for replay contexts.</summary>
    public Action<long>? WriteCheck { get; set; }

    /// <summary>Reads <paramref name="count"/> consecutive blocks without caching them, seeing cached (changed) copies.</summary>
    public void ReadUncached(long first, int count, Span<byte> destination)
    {
        CheckBlock(first);
        CheckBlock(first + count - 1);
        device.Read(first * blockSize, destination[..(count * blockSize)]);
        for (var i = 0; i < count; i++)
        {
            if (_entries.TryGetValue(first + i, out var entry))
            {
                entry.Data.CopyTo(destination[(i * blockSize)..]);
            }
        }
    }

    public byte[] GetForWrite(long block)
    {
        WriteCheck?.Invoke(block);
        var data = Get(block);
        RecordUndo(block);
        _entries[block] = new Entry(data, true);
        return data;
    }

    /// <summary>A block whose old content does not matter (newly allocated); starts zeroed and dirty.</summary>
    public byte[] CreateZeroed(long block)
    {
        CheckBlock(block);
        WriteCheck?.Invoke(block);
        RecordUndo(block);
        var data = new byte[blockSize];
        _entries[block] = new Entry(data, true);
        return data;
    }

    /// <summary>Drops a freed block so a stale dirty copy can never overwrite its next owner.</summary>
    public void Forget(long block)
    {
        if (_entries.ContainsKey(block))
        {
            RecordUndo(block);
            _entries.Remove(block);
        }
    }

    public void Begin()
    {
        _undo.Clear();
        _inOperation = true;
    }

    public void Commit()
    {
        _undo.Clear();
        _inOperation = false;
        if (_entries.Count > CleanLimit || DirtyCount() > DirtyLimit)
        {
            Flush();
            _entries.Clear();
        }
    }

    public void Rollback()
    {
        foreach (var (block, original) in _undo)
        {
            if (original is null)
            {
                _entries.Remove(block);
            }
            else
            {
                _entries[block] = original;
            }
        }

        _undo.Clear();
        _inOperation = false;
    }

    public void Flush()
    {
        foreach (var (block, entry) in _entries.OrderBy(e => e.Key).ToList())
        {
            if (entry.Dirty)
            {
                device.Write(block * blockSize, entry.Data);
                _entries[block] = entry with { Dirty = false };
            }
        }

        device.Flush();
    }

    private int DirtyCount() => _entries.Values.Count(e => e.Dirty);

    private void RecordUndo(long block)
    {
        if (!_inOperation || _undo.ContainsKey(block))
        {
            return;
        }

        _undo[block] = _entries.TryGetValue(block, out var e) ? new Entry((byte[])e.Data.Clone(), e.Dirty) : null;
    }

    private void CheckBlock(long block)
    {
        if (block < 0 || block >= blockCount)
        {
            throw new InvalidImageException($"ext4: block {block} (0x{block:x}) is outside the filesystem ({blockCount} blocks)");
        }
    }

    private sealed record Entry(byte[] Data, bool Dirty);
}
