using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>The qcow2 header (qcow2.rst "Header", all fields big-endian) with its extensions and backing name.</summary>
internal sealed class Qcow2Header
{
    public static ReadOnlySpan<byte> Magic => [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    public int Version { get; private init; }
    public int ClusterBits { get; private init; }
    public long ClusterSize => 1L << ClusterBits;
    public long VirtualSize { get; private init; }
    public int L1Size { get; private init; }
    public long L1TableOffset { get; private init; }
    public long RefTableOffset { get; set; }
    public int RefTableClusters { get; set; }
    public int SnapshotCount { get; private init; }
    public long SnapshotsOffset { get; private init; }
    public ulong IncompatibleFeatures { get; private init; }
    public ulong CompatibleFeatures { get; private init; }
    public ulong AutoclearFeatures { get; set; }
    public int RefcountOrder { get; private init; }
    public int HeaderLength { get; private init; }
    public int CompressionType { get; private init; }
    public string? BackingFileName { get; private init; }
    public string? BackingFormat { get; private init; }
    public IReadOnlyList<Qcow2Extension> Extensions { get; private init; } = [];
    public IReadOnlyDictionary<(int Kind, int Bit), string> FeatureNames { get; private init; } =
        new Dictionary<(int Kind, int Bit), string>();

    public bool ExtendedL2 => (IncompatibleFeatures & Qcow2Features.IncompatExtendedL2) != 0;

    public static bool HasMagic(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>Reads and validates the header. Refuses features Sealer cannot read at all (encryption, data file, unknown incompatible bits).</summary>
    public static Qcow2Header Read(IHostFile file)
    {
        var fileLength = file.Length;
        if (fileLength < 72)
        {
            throw new InvalidImageException($"qcow2: header truncated: file is {fileLength} bytes, a header needs at least 72 (offset 0x0)");
        }

        Span<byte> fixedPart = stackalloc byte[104];
        var fixedLength = (int)Math.Min(104, fileLength);
        file.Read(0, fixedPart[..fixedLength]);
        fixedPart[fixedLength..].Clear();
        if (!HasMagic(fixedPart))
        {
            throw new InvalidImageException("qcow2: bad magic (offset 0x0)");
        }

        var version = BinaryPrimitives.ReadInt32BigEndian(fixedPart[4..]);
        if (version is not (2 or 3))
        {
            throw new UnsupportedFeatureException($"qcow2: unsupported version {(uint)version} (offset 0x4)");
        }

        var clusterBits = BinaryPrimitives.ReadInt32BigEndian(fixedPart[0x14..]);
        if (clusterBits is < Qcow2Features.MinClusterBits or > Qcow2Features.MaxClusterBits)
        {
            throw new UnsupportedFeatureException($"qcow2: unsupported cluster_bits {(uint)clusterBits} (supported 9..21, offset 0x14)");
        }

        var clusterSize = 1L << clusterBits;
        var cryptMethod = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x20..]);
        if (cryptMethod != 0)
        {
            var name = cryptMethod switch { 1 => "AES", 2 => "LUKS", _ => $"method {cryptMethod}" };
            throw new UnsupportedFeatureException($"qcow2: encryption ({name}) is not supported (offset 0x20)");
        }

        ulong incompat = 0, compat = 0, autoclear = 0;
        int refcountOrder = 4, headerLength = 72, compressionType = 0;
        if (version == 3)
        {
            if (fileLength < 104)
            {
                throw new InvalidImageException($"qcow2: v3 header truncated: file is {fileLength} bytes, need 104 (offset 0x0)");
            }

            incompat = BinaryPrimitives.ReadUInt64BigEndian(fixedPart[0x48..]);
            compat = BinaryPrimitives.ReadUInt64BigEndian(fixedPart[0x50..]);
            autoclear = BinaryPrimitives.ReadUInt64BigEndian(fixedPart[0x58..]);
            var order = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x60..]);
            if (order > 6)
            {
                throw new UnsupportedFeatureException($"qcow2: unsupported refcount_order {order} (supported 0..6, offset 0x60)");
            }

            refcountOrder = (int)order;
            var length = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x64..]);
            if (length < 104 || length % 8 != 0 || length > clusterSize || length > fileLength)
            {
                throw new InvalidImageException($"qcow2: header_length {length} is invalid (must be >= 104, a multiple of 8, inside cluster 0; offset 0x64)");
            }

            headerLength = (int)length;
        }

        // Cluster 0 holds the header, the extensions and the backing name; nothing else may live there.
        var cluster0 = new byte[(int)Math.Min(clusterSize, fileLength)];
        file.Read(0, cluster0);
        if (headerLength > 0x68)
        {
            compressionType = cluster0[0x68];
        }

        var names = new Dictionary<(int Kind, int Bit), string>();
        var extensions = ParseExtensions(cluster0, headerLength, version, names, out var backingFormat);
        CheckIncompatible(incompat, names);
        if (compressionType is not (0 or 1))
        {
            throw new UnsupportedFeatureException($"qcow2: unsupported compression type {compressionType} (offset 0x68)");
        }

        if ((compressionType != 0) != ((incompat & Qcow2Features.IncompatCompressionType) != 0))
        {
            throw new InvalidImageException($"qcow2: compression type {compressionType} disagrees with the compression-type incompatible bit (offset 0x68)");
        }

        if ((incompat & Qcow2Features.IncompatExtendedL2) != 0 && clusterBits < 14)
        {
            throw new InvalidImageException($"qcow2: extended L2 needs cluster_bits >= 14, found {clusterBits} (offset 0x14)");
        }

        var header = new Qcow2Header
        {
            Version = version,
            ClusterBits = clusterBits,
            VirtualSize = ReadNonNegative(fixedPart, 0x18, "size"),
            L1Size = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x24..])),
            L1TableOffset = ReadNonNegative(fixedPart, 0x28, "l1_table_offset"),
            RefTableOffset = ReadNonNegative(fixedPart, 0x30, "refcount_table_offset"),
            RefTableClusters = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x38..])),
            SnapshotCount = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(fixedPart[0x3C..])),
            SnapshotsOffset = ReadNonNegative(fixedPart, 0x40, "snapshots_offset"),
            IncompatibleFeatures = incompat,
            CompatibleFeatures = compat,
            AutoclearFeatures = autoclear,
            RefcountOrder = refcountOrder,
            HeaderLength = headerLength,
            CompressionType = compressionType,
            BackingFileName = ReadBackingName(cluster0, fixedPart),
            BackingFormat = backingFormat,
            Extensions = extensions,
            FeatureNames = names,
        };
        header.Validate();
        return header;
    }

    /// <summary>Geometry checks that do not need the rest of the file.</summary>
    private void Validate()
    {
        CheckAligned(L1TableOffset, "l1_table_offset", 0x28);
        CheckAligned(RefTableOffset, "refcount_table_offset", 0x30);
        if (L1TableOffset == 0 && L1Size > 0)
        {
            throw new InvalidImageException("qcow2: l1_table_offset is 0 but l1_size is not (offset 0x28)");
        }

        if (RefTableOffset == 0)
        {
            throw new InvalidImageException("qcow2: refcount_table_offset is 0 (offset 0x30)");
        }

        if ((long)L1Size * 8 > Qcow2Features.MaxL1Bytes)
        {
            throw new InvalidImageException($"qcow2: l1_size {L1Size} exceeds the 32 MiB limit (offset 0x24)");
        }

        var l2Entries = ClusterSize / (ExtendedL2 ? 16 : 8);
        var guestClusters = (VirtualSize + ClusterSize - 1) >> ClusterBits;
        var neededL1 = (guestClusters + l2Entries - 1) / l2Entries;
        if (neededL1 > L1Size)
        {
            throw new InvalidImageException($"qcow2: l1_size {L1Size} is too small for virtual size 0x{VirtualSize:x} (needs {neededL1}; offset 0x24)");
        }

        if (RefTableClusters == 0 || (long)RefTableClusters * ClusterSize > Qcow2Features.MaxRefTableBytes)
        {
            throw new InvalidImageException($"qcow2: refcount_table_clusters {RefTableClusters} is out of range (offset 0x38)");
        }

        if (SnapshotCount > Qcow2Features.MaxSnapshots)
        {
            throw new InvalidImageException($"qcow2: nb_snapshots {SnapshotCount} exceeds {Qcow2Features.MaxSnapshots} (offset 0x3c)");
        }

        if (SnapshotCount > 0)
        {
            CheckAligned(SnapshotsOffset, "snapshots_offset", 0x40);
        }
    }

    private void CheckAligned(long offset, string field, int headerOffset)
    {
        if ((offset & (ClusterSize - 1)) != 0)
        {
            throw new InvalidImageException($"qcow2: {field} 0x{offset:x} is not cluster-aligned (offset 0x{headerOffset:x})");
        }
    }

    private static long ReadNonNegative(ReadOnlySpan<byte> header, int offset, string field)
    {
        var value = BinaryPrimitives.ReadUInt64BigEndian(header[offset..]);
        if (value > (1UL << 56))
        {
            throw new InvalidImageException($"qcow2: {field} 0x{value:x} is out of range (offset 0x{offset:x})");
        }

        return (long)value;
    }

    private static void CheckIncompatible(ulong incompat, Dictionary<(int Kind, int Bit), string> names)
    {
        if ((incompat & Qcow2Features.IncompatExternalData) != 0)
        {
            throw new UnsupportedFeatureException("qcow2: external data file is not supported (incompatible bit 2)");
        }

        var unknown = incompat & ~Qcow2Features.KnownIncompat;
        if (unknown == 0)
        {
            return;
        }

        var list = new List<string>();
        for (var bit = 0; bit < 64; bit++)
        {
            if ((unknown & (1UL << bit)) != 0)
            {
                list.Add(names.TryGetValue((0, bit), out var n) ? $"{n} (bit {bit})" : $"bit {bit}");
            }
        }

        throw new UnsupportedFeatureException($"qcow2: unknown incompatible features: {string.Join(", ", list)}");
    }

    private static List<Qcow2Extension> ParseExtensions(
        byte[] cluster0, int headerLength, int version, Dictionary<(int Kind, int Bit), string> names, out string? backingFormat)
    {
        backingFormat = null;
        var list = new List<Qcow2Extension>();
        if (version < 3)
        {
            // v2 images may carry extensions right after the 72-byte header too.
            headerLength = 72;
        }

        long position = headerLength;
        for (var count = 0; ; count++)
        {
            if (position + 8 > cluster0.Length || count > 4096)
            {
                // qemu tolerates a missing end marker at the cluster end.
                return list;
            }

            var type = BinaryPrimitives.ReadUInt32BigEndian(cluster0.AsSpan((int)position));
            var length = BinaryPrimitives.ReadUInt32BigEndian(cluster0.AsSpan((int)position + 4));
            if (type == Qcow2Features.ExtensionEnd)
            {
                return list;
            }

            var dataOffset = position + 8;
            if (length > cluster0.Length - dataOffset)
            {
                throw new InvalidImageException($"qcow2: header extension 0x{type:x8} length {length} passes the end of cluster 0 (offset 0x{position:x})");
            }

            var data = cluster0.AsSpan((int)dataOffset, (int)length);
            if (type == Qcow2Features.ExtensionBackingFormat)
            {
                if (length is 0 or > 16)
                {
                    throw new InvalidImageException($"qcow2: backing-format extension has length {length} (offset 0x{position:x})");
                }

                backingFormat = DecodeName(data, "backing format", position);
            }
            else if (type == Qcow2Features.ExtensionFeatureNames)
            {
                for (var i = 0; i + 48 <= data.Length; i += 48)
                {
                    var name = data.Slice(i + 2, 46);
                    var end = name.IndexOf((byte)0);
                    names[(data[i], data[i + 1])] = Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
                }
            }

            list.Add(new Qcow2Extension(type, dataOffset, (int)length));
            position = dataOffset + ((length + 7L) & ~7L);
        }
    }

    private static string? ReadBackingName(byte[] cluster0, ReadOnlySpan<byte> header)
    {
        var offset = BinaryPrimitives.ReadUInt64BigEndian(header[0x08..]);
        var size = BinaryPrimitives.ReadUInt32BigEndian(header[0x10..]);
        if (offset == 0)
        {
            return null;
        }

        if (size == 0 || size > Qcow2Features.MaxBackingNameLength)
        {
            throw new InvalidImageException($"qcow2: backing_file_size {size} is out of range 1..1023 (offset 0x10)");
        }

        if (offset > (ulong)cluster0.Length || size > (ulong)cluster0.Length - offset)
        {
            throw new InvalidImageException($"qcow2: backing file name at 0x{offset:x} (size {size}) is outside cluster 0 (offset 0x8)");
        }

        return DecodeName(cluster0.AsSpan((int)offset, (int)size), "backing file name", (long)offset);
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes, string what, long offset)
    {
        var end = bytes.IndexOf((byte)0);
        if (end >= 0)
        {
            // qemu stops at a NUL in the format string; a NUL inside the backing name is malformed.
            if (what == "backing file name" || bytes[end..].ContainsAnyExcept((byte)0))
            {
                throw new InvalidImageException($"qcow2: {what} contains a NUL byte (offset 0x{offset:x})");
            }

            bytes = bytes[..end];
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidImageException($"qcow2: {what} is not valid UTF-8 (offset 0x{offset:x})");
        }
    }
}
