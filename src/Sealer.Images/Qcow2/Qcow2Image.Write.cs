using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>
/// The write path. Order per new cluster (qcow2.rst, qemu's cache dependencies): refcount and data, barrier, the
/// mapping that makes it reachable, barrier, then the release of whatever the mapping pointed at before.
/// </summary>
public sealed partial class Qcow2Image
{
    // New cluster contents are buffered per write call up to this size before being committed.
    private const long MaxPendingBytes = 8L << 20;

    private Qcow2Refcounts? _refcounts;

    /// <summary>False only for a file nobody can see yet (ImageCopier output): skips the fsyncs between steps.</summary>
    internal bool FlushBetweenSteps { get; set; } = true;

    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (!CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, _file.Path ?? "qcow2 image", "image is open read-only");
        }

        Sealer.Core.IO.BlockDeviceGuard.CheckRange("qcow2", offset, source.Length, Length);
        var refcounts = BeginWriting();
        _decompressor.Invalidate();
        var pending = new List<PendingCluster>();
        long pendingBytes = 0;
        while (!source.IsEmpty)
        {
            var guestCluster = offset >> _clusterBits;
            var inCluster = (int)(offset & (_clusterSize - 1));
            var chunk = (int)Math.Min(source.Length, _clusterSize - inCluster);
            var l1Index = guestCluster >> _l2Bits;
            var l2Offset = PrepareL2(l1Index, refcounts);
            var l2Index = (int)(guestCluster & ((1L << _l2Bits) - 1));
            var entry = _l2Cache.Get(l2Offset, l1Index)[l2Index];
            var kind = Classify(entry, 0, guestCluster);
            if (kind == Qcow2Entry.Kind.Normal && (entry & Qcow2Entry.Copied) != 0)
            {
                _file.Write((long)(entry & Qcow2Entry.OffsetMask) + inCluster, source[..chunk]);
            }
            else
            {
                var content = new byte[_clusterSize];
                if (chunk < _clusterSize)
                {
                    ReadOldContent(kind, entry, guestCluster, content);
                }

                source[..chunk].CopyTo(content.AsSpan(inCluster));
                pending.Add(new PendingCluster(refcounts.Allocate(), content, l2Offset, l2Index, entry, kind));
                pendingBytes += _clusterSize;
                if (pendingBytes >= MaxPendingBytes)
                {
                    Commit(pending, refcounts);
                    pendingBytes = 0;
                }
            }

            offset += chunk;
            source = source[chunk..];
        }

        Commit(pending, refcounts);
    }

    private static void CheckWritable(IHostFile file, Qcow2Header header)
    {
        if (!file.CanWrite)
        {
            throw new ImageBusyException($"qcow2: {file.Path ?? "image"} is open read-only");
        }

        if ((header.IncompatibleFeatures & Qcow2Features.IncompatDirty) != 0)
        {
            throw new UnsupportedFeatureException("qcow2: cannot write: image is marked dirty (incompatible bit 0; run 'qemu-img check -r all' first)");
        }

        if ((header.IncompatibleFeatures & Qcow2Features.IncompatCorrupt) != 0)
        {
            throw new UnsupportedFeatureException("qcow2: cannot write: image is marked corrupt (incompatible bit 1)");
        }

        if (header.ExtendedL2)
        {
            throw new UnsupportedFeatureException("qcow2: cannot write: extended L2 entries (subclusters) are supported for reading only");
        }
    }

    /// <summary>On the first write: load refcounts and clear autoclear bits Sealer does not maintain (e.g. bitmaps).</summary>
    private Qcow2Refcounts BeginWriting()
    {
        if (_refcounts is not null)
        {
            return _refcounts;
        }

        var refcounts = new Qcow2Refcounts(_file, _header) { Barrier = Barrier };
        if (_header.Version >= 3 && _header.AutoclearFeatures != 0)
        {
            Span<byte> zero = stackalloc byte[8];
            zero.Clear();
            _file.Write(0x58, zero);
            Barrier();
            _header.AutoclearFeatures = 0;
        }

        _refcounts = refcounts;
        return refcounts;
    }

    private void Barrier()
    {
        if (FlushBetweenSteps)
        {
            _file.Flush();
        }
    }

    /// <summary>Makes the L2 table of <paramref name="l1Index"/> private to the active L1 (allocated, COPIED) and returns its offset.</summary>
    private long PrepareL2(long l1Index, Qcow2Refcounts refcounts)
    {
        var l1Entry = _l1[l1Index];
        var oldOffset = (long)(l1Entry & Qcow2Entry.OffsetMask);
        if (oldOffset != 0 && (l1Entry & Qcow2Entry.Copied) != 0)
        {
            return oldOffset;
        }

        // New table: all zeros. Shared table (snapshot): a copy; data refcounts already count both L1s.
        var table = oldOffset == 0
            ? new ulong[_clusterSize / 8]
            : (ulong[])_l2Cache.Get(oldOffset, l1Index).Clone();
        var raw = new byte[_clusterSize];
        for (var i = 0; i < table.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(raw.AsSpan(i * 8), table[i]);
        }

        var newOffset = refcounts.Allocate();
        _file.Write(newOffset, raw);
        Barrier();
        SetL1(l1Index, (ulong)newOffset | Qcow2Entry.Copied);
        _l2Cache.Put(newOffset, table);
        if (oldOffset != 0)
        {
            // The old table may only lose its reference count once the L1 no longer points at it on disk.
            // (A new table needs no barrier here: entries written into it are ordered by the commit's barriers.)
            Barrier();
            refcounts.Release(oldOffset);
            if (refcounts.GetRefcount(oldOffset >> _clusterBits) == 0)
            {
                _l2Cache.Forget(oldOffset);
            }
        }

        return newOffset;
    }

    private void ReadOldContent(Qcow2Entry.Kind kind, ulong entry, long guestCluster, Span<byte> content)
    {
        switch (kind)
        {
            case Qcow2Entry.Kind.Normal:
                ReadHost((long)(entry & Qcow2Entry.OffsetMask), content);
                break;
            case Qcow2Entry.Kind.Compressed:
                ReadCompressed(entry, guestCluster).CopyTo(content);
                break;
            case Qcow2Entry.Kind.Unallocated:
                ReadBacking(guestCluster << _clusterBits, content);
                break;
            default:
                content.Clear();
                break;
        }
    }

    private void Commit(List<PendingCluster> pending, Qcow2Refcounts refcounts)
    {
        if (pending.Count == 0)
        {
            return;
        }

        foreach (var p in pending)
        {
            _file.Write(p.HostOffset, p.Content);
        }

        Barrier();
        foreach (var p in pending)
        {
            SetL2Entry(p.L2Offset, p.L2Index, (ulong)p.HostOffset | Qcow2Entry.Copied);
        }

        Barrier();
        foreach (var p in pending)
        {
            ReleaseOld(p.OldEntry, p.OldKind, refcounts);
        }

        pending.Clear();
    }

    /// <summary>Drops the references the old mapping held (only after the new mapping is durable).</summary>
    private void ReleaseOld(ulong entry, Qcow2Entry.Kind kind, Qcow2Refcounts refcounts)
    {
        if (kind == Qcow2Entry.Kind.Compressed)
        {
            var sizeShift = 62 - (_clusterBits - 8);
            var start = (long)(entry & ((1UL << sizeShift) - 1)) & ~511L;
            var sectors = (long)((entry >> sizeShift) & ((1UL << (_clusterBits - 8)) - 1)) + 1;
            var last = (start + (sectors * 512) - 1) >> _clusterBits;
            for (var cluster = start >> _clusterBits; cluster <= last; cluster++)
            {
                refcounts.Update(cluster, -1);
            }

            return;
        }

        var host = (long)(entry & Qcow2Entry.OffsetMask);
        if (kind is Qcow2Entry.Kind.Normal or Qcow2Entry.Kind.Zero && host != 0)
        {
            refcounts.Release(host);
        }
    }

    private void SetL1(long index, ulong value)
    {
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(raw, value);
        _file.Write(_header.L1TableOffset + (index * 8), raw);
        _l1[index] = value;
    }

    private void SetL2Entry(long l2Offset, int index, ulong value)
    {
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(raw, value);
        _file.Write(l2Offset + (index * 8L), raw);
        _l2Cache.Update(l2Offset, index, value);
    }

    private sealed record PendingCluster(long HostOffset, byte[] Content, long L2Offset, int L2Index, ulong OldEntry, Qcow2Entry.Kind OldKind);
}
