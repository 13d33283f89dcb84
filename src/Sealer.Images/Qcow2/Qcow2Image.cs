using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>
/// A qcow2 v2/v3 image over a host file. Reads walk L1/L2 with a bounded cache; writes allocate clusters with
/// refcounts updated in crash-safe order and copy-on-write for compressed and snapshot-shared clusters.
/// </summary>
public sealed partial class Qcow2Image : IBlockDevice, IAllocationMap
{
    private readonly IHostFile _file;
    private readonly bool _ownsFile;
    private readonly Qcow2Header _header;
    private readonly IBlockDevice? _backing;
    private readonly ulong[] _l1;
    private readonly Qcow2L2Cache _l2Cache;
    private readonly Qcow2Decompressor _decompressor;
    private readonly int _clusterBits;
    private readonly long _clusterSize;
    private readonly int _l2Bits;
    private readonly bool _extendedL2;
    private readonly int _wordsPerEntry;

    /// <summary>Opens a qcow2 image. Images with a backing file need <paramref name="backing"/> (ImageOpener resolves chains).</summary>
    /// <param name="file">The image file; all writes go through it.</param>
    /// <param name="writable">Open for writing (refused for dirty, corrupt and extended-L2 images).</param>
    /// <param name="backing">The opened backing device, owned by this image from now on.</param>
    /// <param name="ownsFile">Dispose <paramref name="file"/> with this image.</param>
    public Qcow2Image(IHostFile file, bool writable, IBlockDevice? backing = null, bool ownsFile = true)
        : this(file, Qcow2Header.Read(file), writable, backing, ownsFile)
    {
    }

    internal Qcow2Image(IHostFile file, Qcow2Header header, bool writable, IBlockDevice? backing, bool ownsFile)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _header = header;
        _ownsFile = ownsFile;
        if (header.BackingFileName is not null && backing is null)
        {
            throw new UnsupportedFeatureException(
                $"qcow2: image has backing file '{header.BackingFileName}'; open it with ImageOpener so the chain is resolved");
        }

        if (writable)
        {
            CheckWritable(file, header);
        }

        _backing = backing;
        _clusterBits = header.ClusterBits;
        _clusterSize = header.ClusterSize;
        _extendedL2 = header.ExtendedL2;
        _wordsPerEntry = _extendedL2 ? 2 : 1;
        _l2Bits = _clusterBits - (_extendedL2 ? 4 : 3);
        _l1 = ReadL1(file, header);
        Snapshots = Qcow2Snapshot.ReadTable(file, header);
        _l2Cache = new Qcow2L2Cache(file, (int)_clusterSize);
        _decompressor = new Qcow2Decompressor(header.CompressionType, (int)_clusterSize, ReadHost);
        Length = header.VirtualSize;
        CanWrite = writable;
    }

    public long Length { get; }

    public int SectorSize => 512;

    public bool CanWrite { get; }

    /// <summary>Host cluster size in bytes.</summary>
    public int ClusterSize => (int)_clusterSize;

    /// <summary>The backing file name as stored in the header (null when there is none).</summary>
    public string? BackingFileName => _header.BackingFileName;

    /// <summary>The backing format from the header extension (null when absent).</summary>
    public string? BackingFormat => _header.BackingFormat;

    internal IReadOnlyList<Qcow2Snapshot> Snapshots { get; }

    internal Qcow2Header Header => _header;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("qcow2", offset, destination.Length, Length);
        while (!destination.IsEmpty)
        {
            var guestCluster = offset >> _clusterBits;
            var inCluster = (int)(offset & (_clusterSize - 1));
            var chunk = (int)Math.Min(destination.Length, _clusterSize - inCluster);
            var kind = Lookup(guestCluster, out var entry, out var bitmap);
            switch (kind)
            {
                case Qcow2Entry.Kind.Normal:
                    // Merge following clusters that are contiguous on the host into one read.
                    var host = (long)(entry & Qcow2Entry.OffsetMask);
                    var next = guestCluster + 1;
                    while (chunk < destination.Length
                        && Lookup(next, out var nextEntry, out _) == Qcow2Entry.Kind.Normal
                        && (long)(nextEntry & Qcow2Entry.OffsetMask) == host + ((next - guestCluster) << _clusterBits))
                    {
                        chunk += (int)Math.Min(destination.Length - chunk, _clusterSize);
                        next++;
                    }

                    ReadHost(host + inCluster, destination[..chunk]);
                    break;
                case Qcow2Entry.Kind.Zero:
                    destination[..chunk].Clear();
                    break;
                case Qcow2Entry.Kind.Unallocated:
                    ReadBacking(offset, destination[..chunk]);
                    break;
                case Qcow2Entry.Kind.Compressed:
                    ReadCompressed(entry, guestCluster).Slice(inCluster, chunk).CopyTo(destination);
                    break;
                default:
                    ReadSubclusters(entry, bitmap, offset, destination[..chunk]);
                    break;
            }

            offset += chunk;
            destination = destination[chunk..];
        }
    }

    public void Flush()
    {
        if (CanWrite)
        {
            _file.Flush();
        }
    }

    public void Dispose()
    {
        _backing?.Dispose();
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }

    /// <summary>Classifies one guest cluster; <paramref name="entry"/> and <paramref name="bitmap"/> are the raw L2 words.</summary>
    private Qcow2Entry.Kind Lookup(long guestCluster, out ulong entry, out ulong bitmap)
    {
        entry = 0;
        bitmap = 0;
        var l1Index = guestCluster >> _l2Bits;
        var l2Offset = (long)(_l1[l1Index] & Qcow2Entry.OffsetMask);
        if (l2Offset == 0)
        {
            return Qcow2Entry.Kind.Unallocated;
        }

        var table = _l2Cache.Get(l2Offset, l1Index);
        var l2Index = (int)(guestCluster & ((1L << _l2Bits) - 1));
        entry = table[l2Index * _wordsPerEntry];
        if (_extendedL2)
        {
            bitmap = table[(l2Index * 2) + 1];
        }

        return Classify(entry, bitmap, guestCluster);
    }

    private Qcow2Entry.Kind Classify(ulong entry, ulong bitmap, long guestCluster)
    {
        if ((entry & Qcow2Entry.Compressed) != 0)
        {
            if ((entry & Qcow2Entry.Copied) != 0)
            {
                throw new InvalidImageException($"qcow2: compressed L2 entry 0x{entry:x} has the COPIED flag (guest offset 0x{guestCluster << _clusterBits:x})");
            }

            return Qcow2Entry.Kind.Compressed;
        }

        var host = entry & Qcow2Entry.OffsetMask;
        if ((entry & Qcow2Entry.StandardReserved) != 0 || (host & (ulong)(_clusterSize - 1)) != 0)
        {
            throw new InvalidImageException($"qcow2: L2 entry 0x{entry:x} has reserved bits set or an unaligned offset (guest offset 0x{guestCluster << _clusterBits:x})");
        }

        if (_extendedL2)
        {
            if ((entry & Qcow2Entry.ZeroFlag) != 0 || (host == 0 && (bitmap & 0xFFFF_FFFFUL) != 0) || (bitmap & (bitmap >> 32)) != 0)
            {
                throw new InvalidImageException($"qcow2: extended L2 entry 0x{entry:x}/0x{bitmap:x} is inconsistent (guest offset 0x{guestCluster << _clusterBits:x})");
            }

            return Qcow2Entry.Kind.Subclusters;
        }

        if ((entry & Qcow2Entry.ZeroFlag) != 0)
        {
            if (_header.Version < 3)
            {
                throw new InvalidImageException($"qcow2: v2 L2 entry 0x{entry:x} has the zero flag (guest offset 0x{guestCluster << _clusterBits:x})");
            }

            return Qcow2Entry.Kind.Zero;
        }

        return host == 0 ? Qcow2Entry.Kind.Unallocated : Qcow2Entry.Kind.Normal;
    }

    /// <summary>Reads host bytes; bytes past the end of the file read as zeros (as in qemu).</summary>
    private void ReadHost(long hostOffset, Span<byte> destination)
    {
        var available = Math.Clamp(_file.Length - hostOffset, 0, destination.Length);
        if (available > 0)
        {
            _file.Read(hostOffset, destination[..(int)available]);
        }

        destination[(int)available..].Clear();
    }

    private void ReadBacking(long guestOffset, Span<byte> destination)
    {
        var available = _backing is null ? 0 : Math.Clamp(_backing.Length - guestOffset, 0, destination.Length);
        if (available > 0)
        {
            _backing!.Read(guestOffset, destination[..(int)available]);
        }

        destination[(int)available..].Clear();
    }

    private ReadOnlySpan<byte> ReadCompressed(ulong entry, long guestCluster)
    {
        var sizeShift = 62 - (_clusterBits - 8);
        var hostOffset = (long)(entry & ((1UL << sizeShift) - 1));
        var sectors = (long)((entry >> sizeShift) & ((1UL << (_clusterBits - 8)) - 1)) + 1;
        var length = (int)((sectors * 512) - (hostOffset & 511));
        return _decompressor.Get(entry, hostOffset, length, guestCluster << _clusterBits);
    }

    private void ReadSubclusters(ulong entry, ulong bitmap, long offset, Span<byte> destination)
    {
        var subclusterSize = _clusterSize / 32;
        var clusterStart = offset & ~(_clusterSize - 1);
        var host = (long)(entry & Qcow2Entry.OffsetMask);
        while (!destination.IsEmpty)
        {
            var inCluster = offset - clusterStart;
            var index = (int)(inCluster / subclusterSize);
            var chunk = (int)Math.Min(destination.Length, ((index + 1) * subclusterSize) - inCluster);
            if ((bitmap & (1UL << index)) != 0)
            {
                ReadHost(host + inCluster, destination[..chunk]);
            }
            else if ((bitmap & (1UL << (index + 32))) != 0)
            {
                destination[..chunk].Clear();
            }
            else
            {
                ReadBacking(offset, destination[..chunk]);
            }

            offset += chunk;
            destination = destination[chunk..];
        }
    }

    private static ulong[] ReadL1(IHostFile file, Qcow2Header header)
    {
        var bytes = (long)header.L1Size * 8;
        if (header.L1TableOffset > file.Length - bytes)
        {
            throw new InvalidImageException($"qcow2: L1 table at 0x{header.L1TableOffset:x} ({header.L1Size} entries) passes the end of the file");
        }

        var raw = new byte[bytes];
        file.Read(header.L1TableOffset, raw);
        var l1 = new ulong[header.L1Size];
        for (var i = 0; i < l1.Length; i++)
        {
            var entry = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(i * 8));
            if ((entry & Qcow2Entry.L1Reserved) != 0 || ((entry & Qcow2Entry.OffsetMask) & (ulong)(header.ClusterSize - 1)) != 0)
            {
                throw new InvalidImageException($"qcow2: L1 entry {i} (0x{entry:x}) has reserved bits set or an unaligned L2 offset (L1 at 0x{header.L1TableOffset:x})");
            }

            l1[i] = entry;
        }

        return l1;
    }
}
