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
                CheckWriteInPlace(entry, guestCluster, refcounts);
                _file.Write((long)(entry & Qcow2Entry.OffsetMask) + inCluster, source[..chunk]);
            }
            else
            {
                CheckReplaceable(entry, kind, guestCluster, refcounts);
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

        // Before anything is written: map every metadata cluster and every mapped data cluster (metadata overlap checks).
        refcounts.Use = Qcow2ClusterUse.Build(_file, _header, _l1, refcounts.Table);
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
        if (oldOffset != 0)
        {
            // COPIED means "refcount exactly 1, write in place"; any disagreement is a corrupt image.
            var refcount = refcounts.GetRefcount(oldOffset >> _clusterBits);
            var copied = (l1Entry & Qcow2Entry.Copied) != 0;
            if (copied != (refcount == 1))
            {
                throw new InvalidImageException(
                    $"qcow2: L1 entry {l1Index} (L2 table 0x{oldOffset:x}) {(copied ? "has" : "lacks")} the COPIED flag but the table's refcount is {refcount}");
            }

            if (copied)
            {
                return oldOffset;
            }
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
        refcounts.Use!.AddMetadata(newOffset, _clusterSize, Qcow2ClusterUse.Kind.L2Table);
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

    /// <summary>
    /// A write in place must land on a data cluster that only this entry maps: inside the file, not metadata, refcount
    /// exactly 1 (what COPIED promises) and no other L2 entry pointing at it. Otherwise the image is corrupt and the
    /// write would destroy metadata or another guest cluster, so nothing is written.
    /// </summary>
    private void CheckWriteInPlace(ulong entry, long guestCluster, Qcow2Refcounts refcounts)
    {
        var host = (long)(entry & Qcow2Entry.OffsetMask);
        var cluster = host >> _clusterBits;
        var where = $"L2 entry for guest offset 0x{guestCluster << _clusterBits:x}";
        if (host >= _file.Length)
        {
            throw new InvalidImageException($"qcow2: {where} points at host cluster 0x{host:x}, beyond the end of the file (0x{_file.Length:x})");
        }

        var metadata = refcounts.Use!.MetadataAt(cluster);
        if (metadata is not null)
        {
            throw new InvalidImageException($"qcow2: {where} points at {metadata} (host cluster 0x{host:x}); refusing to write guest data over metadata");
        }

        var refcount = refcounts.GetRefcount(cluster);
        if (refcount != 1)
        {
            throw new InvalidImageException($"qcow2: {where} has the COPIED flag but host cluster 0x{host:x} has refcount {refcount} (must be 1)");
        }

        if (refcounts.Use.IsShared(cluster))
        {
            throw new InvalidImageException($"qcow2: {where} maps host cluster 0x{host:x}, which another L2 entry maps too (refcount 1)");
        }
    }

    /// <summary>An entry about to be replaced by a new cluster: what it points at will lose a reference, so it must be
    /// a data cluster and its COPIED flag must agree with its refcount.</summary>
    private void CheckReplaceable(ulong entry, Qcow2Entry.Kind kind, long guestCluster, Qcow2Refcounts refcounts)
    {
        var where = $"L2 entry for guest offset 0x{guestCluster << _clusterBits:x}";
        if (kind == Qcow2Entry.Kind.Compressed)
        {
            var sizeShift = 62 - (_clusterBits - 8);
            var start = (long)(entry & ((1UL << sizeShift) - 1));
            var sectors = (long)((entry >> sizeShift) & ((1UL << (_clusterBits - 8)) - 1)) + 1;
            var end = (start & ~511L) + (sectors * 512);
            for (var c = start >> _clusterBits; c <= (end - 1) >> _clusterBits; c++)
            {
                var held = refcounts.Use!.MetadataAt(c);
                if (held is not null)
                {
                    throw new InvalidImageException($"qcow2: compressed {where} points at {held} (host offset 0x{start:x})");
                }
            }

            return;
        }

        var host = (long)(entry & Qcow2Entry.OffsetMask);
        if (kind is not (Qcow2Entry.Kind.Normal or Qcow2Entry.Kind.Zero) || host == 0)
        {
            return;
        }

        var metadata = refcounts.Use!.MetadataAt(host >> _clusterBits);
        if (metadata is not null)
        {
            throw new InvalidImageException($"qcow2: {where} points at {metadata} (host cluster 0x{host:x})");
        }

        var refcount = refcounts.GetRefcount(host >> _clusterBits);
        var copied = (entry & Qcow2Entry.Copied) != 0;
        if (refcount == 0 || copied != (refcount == 1))
        {
            throw new InvalidImageException(
                $"qcow2: {where} {(copied ? "has" : "lacks")} the COPIED flag but host cluster 0x{host:x} has refcount {refcount}");
        }
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
            refcounts.Use!.AddData(p.HostOffset);
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
