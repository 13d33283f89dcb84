using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Images.Qcow2;

/// <summary>Creating refcount blocks and growing the refcount table (qcow2.rst; qemu block/qcow2-refcount.c order).</summary>
internal sealed partial class Qcow2Refcounts
{
    /// <summary>Creates the refcount block for table index <paramref name="tableIndex"/>, placed in the range it covers
    /// (self-covering), then links it in the table. Block first, barrier, then the table entry.</summary>
    private void EnsureBlock(long tableIndex)
    {
        if (tableIndex >= _table.Length)
        {
            GrowTable(tableIndex);
        }

        if (_table[tableIndex] != 0)
        {
            return;
        }

        var blockCluster = tableIndex * _blockEntries;
        if (blockCluster == 0)
        {
            // The range of entry 0 holds the header, which always has a refcount: an empty entry is corruption, and a
            // self-covering block there would be written over the header (and never become non-zero: found by fuzzing).
            throw new InvalidImageException(
                $"qcow2: refcount table entry 0 (at 0x{_header.RefTableOffset:x}) is empty: the header cluster has no refcount block");
        }

        var blockOffset = blockCluster << _clusterBits;
        RequireFree(blockCluster);
        var block = new byte[_clusterSize];
        WriteEntry(block, 0, 1);
        _file.Write(blockOffset, block);
        Barrier();
        Span<byte> entry = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(entry, (ulong)blockOffset);
        _file.Write(_header.RefTableOffset + (tableIndex * 8), entry);

        // No barrier after linking: nothing reachable depends on this block until the caller's next barrier.
        _table[tableIndex] = (ulong)blockOffset;
        _blocks[blockOffset] = block;
        _allocatedEnd = Math.Max(_allocatedEnd, blockCluster + 1);
        Use?.AddMetadata(blockOffset, _clusterSize, Qcow2ClusterUse.Kind.RefcountBlock);
    }

    /// <summary>
    /// Writes a larger refcount table at the end of the file together with the refcount blocks that cover it,
    /// switches the header to it in one write, then releases the old table.
    /// </summary>
    private void GrowTable(long neededIndex)
    {
        var entriesPerCluster = _clusterSize / 8;
        var start = Math.Max((_file.Length + _clusterSize - 1) >> _clusterBits, _allocatedEnd);
        var entries = Math.Max(neededIndex + 1, (long)_table.Length * 2);
        long tableClusters, newBlocks = 0;
        List<long> missing;
        for (var round = 0; ; round++)
        {
            if (round > 64)
            {
                throw new InvalidOperationException("qcow2: refcount table growth did not converge");
            }

            tableClusters = (entries + entriesPerCluster - 1) / entriesPerCluster;
            var end = start + tableClusters + newBlocks;
            missing = [];
            for (var index = start / _blockEntries; index <= (end - 1) / _blockEntries; index++)
            {
                if (index >= _table.Length || _table[index] == 0)
                {
                    missing.Add(index);
                }
            }

            var lastIndex = (end - 1) / _blockEntries;
            if (missing.Count == newBlocks && entries > lastIndex)
            {
                break;
            }

            newBlocks = missing.Count;
            entries = Math.Max(entries, lastIndex + 1);
        }

        entries = tableClusters * entriesPerCluster;
        if (entries * 8 > Qcow2Features.MaxRefTableBytes)
        {
            throw new Sealer.Core.Errors.UnsupportedFeatureException("qcow2: refcount table would exceed 8 MiB");
        }

        var usedEnd = start + tableClusters + newBlocks;
        for (var cluster = start; cluster < usedEnd; cluster++)
        {
            RequireFree(cluster);
        }
        var newTable = new ulong[entries];
        _table.CopyTo(newTable, 0);
        var blocks = new Dictionary<long, byte[]>();
        for (var k = 0; k < missing.Count; k++)
        {
            newTable[missing[k]] = (ulong)((start + tableClusters + k) << _clusterBits);
            blocks[missing[k]] = new byte[_clusterSize];
        }

        // Count the new table and blocks: in the new blocks directly, in existing blocks through the old table.
        for (var cluster = start; cluster < usedEnd; cluster++)
        {
            var index = cluster / _blockEntries;
            if (blocks.TryGetValue(index, out var fresh))
            {
                WriteEntry(fresh, cluster % _blockEntries, 1);
            }
            else
            {
                Update(cluster, +1);
            }
        }

        foreach (var (index, block) in blocks)
        {
            _file.Write((long)newTable[index], block);
        }

        var raw = new byte[entries * 8];
        for (var i = 0; i < newTable.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(raw.AsSpan(i * 8), newTable[i]);
        }

        var tableOffset = start << _clusterBits;
        _file.Write(tableOffset, raw);
        Barrier();

        // refcount_table_offset and refcount_table_clusters are adjacent (0x30..0x3b): one write switches both.
        Span<byte> headerPatch = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(headerPatch, (ulong)tableOffset);
        BinaryPrimitives.WriteUInt32BigEndian(headerPatch[8..], (uint)tableClusters);
        _file.Write(0x30, headerPatch);
        Barrier();

        var oldOffset = _header.RefTableOffset;
        var oldClusters = _header.RefTableClusters;
        _header.RefTableOffset = tableOffset;
        _header.RefTableClusters = (int)tableClusters;
        _table = newTable;
        foreach (var (index, block) in blocks)
        {
            _blocks[(long)newTable[index]] = block;
        }

        _allocatedEnd = Math.Max(_allocatedEnd, usedEnd);
        Use?.AddMetadata(tableOffset, tableClusters << _clusterBits, Qcow2ClusterUse.Kind.RefcountTable);
        foreach (var (index, _) in blocks)
        {
            Use?.AddMetadata((long)newTable[index], _clusterSize, Qcow2ClusterUse.Kind.RefcountBlock);
        }

        for (var i = 0; i < oldClusters; i++)
        {
            Update((oldOffset >> _clusterBits) + i, -1);
        }
    }
}
