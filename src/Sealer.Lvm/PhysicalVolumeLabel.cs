using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Lvm;

/// <summary>
/// The LVM2 label (<c>LABELONE</c> in one of the first four 512-byte sectors) and the pv_header that follows it:
/// the PV UUID, the device size recorded at pvcreate, the data area and the metadata areas.
/// </summary>
public sealed class PhysicalVolumeLabel
{
    /// <summary>LVM's label and metadata sectors are always 512 bytes, whatever the device's sector size.</summary>
    public const int SectorBytes = 512;

    /// <summary>The label is searched in sectors 0..3.</summary>
    public const int LabelScanSectors = 4;

    // label_header
    private const int IdOffset = 0;          // "LABELONE"
    private const int SectorXlOffset = 8;    // u64: the sector this label is in
    private const int CrcXlOffset = 16;      // u32: CRC of bytes 20..511
    private const int OffsetXlOffset = 20;   // u32: offset of the pv_header from the start of the sector
    private const int TypeOffset = 24;       // "LVM2 001"
    private const int LabelHeaderBytes = 32;

    // pv_header
    private const int UuidBytes = 32;
    private const int DiskLocnBytes = 16;    // u64 offset, u64 size

    private static readonly byte[] LabelId = "LABELONE"u8.ToArray();
    private static readonly byte[] LabelType = "LVM2 001"u8.ToArray();

    private PhysicalVolumeLabel(int labelSector, string uuid, long deviceSize, IReadOnlyList<DiskArea> dataAreas, IReadOnlyList<DiskArea> metadataAreas)
    {
        LabelSector = labelSector;
        Uuid = uuid;
        DeviceSize = deviceSize;
        DataAreas = dataAreas;
        MetadataAreas = metadataAreas;
    }

    public int LabelSector { get; }

    /// <summary>The PV UUID in LVM's printed form (6-4-4-4-4-4-6 characters), as the metadata's <c>id</c> has it.</summary>
    public string Uuid { get; }

    /// <summary>The device size in bytes that pvcreate recorded.</summary>
    public long DeviceSize { get; }

    public IReadOnlyList<DiskArea> DataAreas { get; }

    public IReadOnlyList<DiskArea> MetadataAreas { get; }

    /// <summary>
    /// Reads the label of <paramref name="device"/>. Returns null when no sector 0..3 starts with <c>LABELONE</c>
    /// (not a PV). A label that is there but damaged (CRC, sector number, type, areas) is an
    /// <see cref="InvalidImageException"/> naming the sector.
    /// </summary>
    public static PhysicalVolumeLabel? TryRead(LvmDevice device)
    {
        var length = device.Device.Length;
        var sector = new byte[SectorBytes];
        for (var s = 0; s < LabelScanSectors; s++)
        {
            if ((long)(s + 1) * SectorBytes > length)
            {
                return null;
            }

            device.Device.Read((long)s * SectorBytes, sector);
            if (sector.AsSpan(IdOffset, LabelId.Length).SequenceEqual(LabelId))
            {
                return Parse(device, s, sector, length);
            }
        }

        return null;
    }

    private static PhysicalVolumeLabel Parse(LvmDevice device, int s, byte[] sector, long length)
    {
        var where = $"lvm: {device.Name}: PV label in sector {s} (offset 0x{(long)s * SectorBytes:x})";
        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(CrcXlOffset));
        var crc = LvmCrc.Compute(sector.AsSpan(OffsetXlOffset));
        if (crc != storedCrc)
        {
            throw new InvalidImageException($"{where}: checksum 0x{storedCrc:x8} does not match the computed 0x{crc:x8}");
        }

        var sectorXl = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(SectorXlOffset));
        if (sectorXl != (ulong)s)
        {
            throw new InvalidImageException($"{where}: records sector {sectorXl}");
        }

        if (!sector.AsSpan(TypeOffset, LabelType.Length).SequenceEqual(LabelType))
        {
            throw new UnsupportedFeatureException($"{where}: label type \"{Ascii(sector.AsSpan(TypeOffset, LabelType.Length))}\" is not LVM2 001");
        }

        var headerOffset = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(OffsetXlOffset));
        if (headerOffset < LabelHeaderBytes || headerOffset > SectorBytes - UuidBytes - 8 - (2 * DiskLocnBytes))
        {
            throw new InvalidImageException($"{where}: pv_header offset {headerOffset} is outside the sector");
        }

        var pos = (int)headerOffset;
        var uuidRaw = sector.AsSpan(pos, UuidBytes);
        foreach (var b in uuidRaw)
        {
            if (!char.IsAsciiLetterOrDigit((char)b))
            {
                throw new InvalidImageException($"{where}: PV UUID \"{Ascii(uuidRaw)}\" has characters outside [A-Za-z0-9]");
            }
        }

        var uuid = FormatUuid(Ascii(uuidRaw));
        pos += UuidBytes;
        var deviceSize = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(pos));
        pos += 8;
        if (deviceSize > long.MaxValue)
        {
            throw new InvalidImageException($"{where}: device size {deviceSize} is out of range");
        }

        var dataAreas = ReadAreas(sector, ref pos, where, "data area", length, allowToEnd: true);
        var metadataAreas = ReadAreas(sector, ref pos, where, "metadata area", length, allowToEnd: false);
        if (dataAreas.Count > 1)
        {
            throw new UnsupportedFeatureException($"{where}: {dataAreas.Count} data areas (LVM2 writes one)");
        }

        return new PhysicalVolumeLabel(s, uuid, (long)deviceSize, dataAreas, metadataAreas);
    }

    /// <summary>Reads a disk_locn list that ends with a zero offset, bounded by the sector; every area must lie on the device.</summary>
    private static List<DiskArea> ReadAreas(byte[] sector, ref int pos, string where, string what, long length, bool allowToEnd)
    {
        var areas = new List<DiskArea>();
        while (true)
        {
            if (pos + DiskLocnBytes > SectorBytes)
            {
                throw new InvalidImageException($"{where}: the {what} list is not terminated within the sector");
            }

            var offset = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(pos));
            var size = BinaryPrimitives.ReadUInt64LittleEndian(sector.AsSpan(pos + 8));
            pos += DiskLocnBytes;
            if (offset == 0)
            {
                return areas;
            }

            var n = areas.Count;
            if (offset >= (ulong)length || size > (ulong)length - offset || (size == 0 && !allowToEnd))
            {
                throw new InvalidImageException(
                    $"{where}: {what} {n} (offset 0x{offset:x}, size 0x{size:x}) is outside the device (length 0x{length:x})");
            }

            if (offset < (ulong)(LabelScanSectors * SectorBytes))
            {
                throw new InvalidImageException($"{where}: {what} {n} at offset 0x{offset:x} overlaps the label sectors");
            }

            areas.Add(new DiskArea((long)offset, (long)size));
        }
    }

    internal static string FormatUuid(string raw) =>
        raw.Length != UuidBytes
            ? raw
            : string.Join('-', raw[..6], raw[6..10], raw[10..14], raw[14..18], raw[18..22], raw[22..26], raw[26..]);

    private static string Ascii(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        return sb.ToString();
    }
}
