using System.Buffers.Binary;
using System.Text;
using Sealer.Core.FileSystems;
using Sealer.Core.IO;

namespace Sealer.Guest.Inspection;

/// <summary>What a partition (or whole disk) holds when it is not a file system Sealer opens: enough to say so by name.</summary>
/// <param name="Type">blkid's name for it: "xfs", "LVM2_member", "crypto_LUKS", "btrfs", "swap", "vfat", ...</param>
/// <param name="Description">For a person: "LVM2 physical volume (volume group rhel)", "LUKS2 encrypted volume".</param>
public sealed record StorageSignature(string Type, string Description, string? Uuid, string? Label)
{
    public FileSystemIdentity ToIdentity() => new(Type, Uuid, Label);
}

/// <summary>
/// Recognises by their magic numbers the storage formats Sealer does not open (other file systems, volume managers,
/// encryption, swap, RAID members), so that an image whose root lives there is refused by name instead of "no
/// operating system found". Only reads; every offset is checked against the device and the bytes read. Layouts are
/// from each format's on-disk specification (offsets below name the field).
/// </summary>
public static class StorageProber
{
    /// <summary>Enough for every signature probed at the start: btrfs's superblock at 64 KiB ends before 68 KiB.</summary>
    private const int HeadLength = 68 * 1024;

    private const int SectorSize = 512;

    // XFS superblock at byte 0 (xfs_sb): magic "XFSB", sb_uuid at 32, sb_fname[12] at 108.
    private const int XfsUuidOffset = 32;
    private const int XfsLabelOffset = 108;

    // LUKS header at byte 0: magic "LUKS\xBA\xBE", version BE16 at 6, LUKS2 label[48] at 24, uuid[40] (text) at 168.
    private const int LuksVersionOffset = 6;
    private const int Luks2LabelOffset = 24;
    private const int LuksUuidOffset = 168;

    // LVM2 label (label_header) in one of sectors 0..3: "LABELONE", sector_xl LE64 at 8, offset_xl LE32 at 20 (where
    // the pv_header starts, from the label's sector), type "LVM2 001" at 24.
    private const int LvmLabelScanSectors = 4;
    private const int LvmSectorOffset = 8;
    private const int LvmPvHeaderOffset = 20;
    private const int LvmTypeOffset = 24;
    private const int LvmPvUuidLength = 32;
    private const int LvmMdaHeaderSize = 512;
    private const int LvmMdaMagicOffset = 4;
    private const int LvmRawLocnOffset = 40;
    private static readonly byte[] LvmMdaMagic = " LVM2 x[5A%r0N*>"u8.ToArray();

    // Linux swap: "SWAPSPACE2" in the last 10 bytes of the first page; uuid[16] at 1036, volume name[16] at 1052.
    private static readonly int[] SwapPageSizes = [4096, 8192, 16384, 65536];
    private const int SwapUuidOffset = 1036;
    private const int SwapLabelOffset = 1052;

    // FAT boot sector: 0x55AA at 510; FAT12/16: fs type at 54, serial at 39, label at 43; FAT32: type at 82, serial at
    // 67, label at 71. NTFS / exFAT / BitLocker: OEM name at 3.
    private const int BootSignatureOffset = 510;

    // md RAID superblock 1.x: magic LE32 0xa92b4efc at 0 (1.1), 4096 (1.2), or 8 KiB before the end, 4 KiB aligned (1.0).
    private const uint MdMagic = 0xa92b4efc;

    // btrfs superblock at 64 KiB: fsid[16] at 32, magic "_BHRfS_M" at 64, label[256] at 299.
    private const int BtrfsSuperblock = 64 * 1024;

    // ISO 9660 primary volume descriptor at 32 KiB: type 1, "CD001" at 1, volume id[32] at 40.
    private const int IsoDescriptor = 32 * 1024;

    /// <summary>The signature on <paramref name="device"/>, or null when none of the known ones is there.</summary>
    public static StorageSignature? Probe(IBlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var head = new byte[(int)Math.Min(device.Length, HeadLength)];
        device.Read(0, head);
        return ProbeLuks(head)
            ?? ProbeLvm(device, head)
            ?? ProbeXfs(head)
            ?? ProbeMd(device, head)
            ?? Magic(head, 0, "hsqs"u8, "squashfs", "squashfs image")
            ?? Magic(head, 3, "NTFS    "u8, "ntfs", "ntfs")
            ?? Magic(head, 3, "EXFAT   "u8, "exfat", "exfat")
            ?? Magic(head, 3, "-FVE-FS-"u8, "BitLocker", "BitLocker encrypted volume")
            ?? ProbeFat(head)
            ?? (ReadLe32(head, 1024) == 0xF2F52010 ? new StorageSignature("f2fs", "f2fs", null, null) : null)
            ?? ProbeSwap(head)
            ?? ProbeIso9660(head)
            ?? Magic(head, IsoDescriptor, "JFS1"u8, "jfs", "jfs")
            ?? ProbeBtrfs(head)
            ?? ProbeReiser(head);
    }

    private static StorageSignature? Magic(byte[] head, int offset, ReadOnlySpan<byte> magic, string type, string description) =>
        Has(head, offset, magic) ? new StorageSignature(type, description, null, null) : null;

    private static StorageSignature? ProbeLuks(byte[] head)
    {
        if (!Has(head, 0, [(byte)'L', (byte)'U', (byte)'K', (byte)'S', 0xBA, 0xBE]))
        {
            return null;
        }

        var version = head.Length >= LuksVersionOffset + 2 ? BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(LuksVersionOffset)) : 0;
        var uuid = Text(head, LuksUuidOffset, 40);
        var label = version == 2 ? Text(head, Luks2LabelOffset, 48) : null;
        return new StorageSignature("crypto_LUKS", $"LUKS{version} encrypted volume", uuid, label);
    }

    private static StorageSignature? ProbeXfs(byte[] head) =>
        Has(head, 0, "XFSB"u8)
            ? new StorageSignature("xfs", "xfs", Uuid(head, XfsUuidOffset), Text(head, XfsLabelOffset, 12))
            : null;

    private static StorageSignature? ProbeLvm(IBlockDevice device, byte[] head)
    {
        for (var sector = 0; sector < LvmLabelScanSectors; sector++)
        {
            var label = sector * SectorSize;
            if (!Has(head, label, "LABELONE"u8) || !Has(head, label + LvmTypeOffset, "LVM2 001"u8)
                || ReadLe64(head, label + LvmSectorOffset) != (ulong)sector)
            {
                continue;
            }

            var pvHeader = (long)label + ReadLe32(head, label + LvmPvHeaderOffset);
            var uuid = pvHeader + LvmPvUuidLength <= label + SectorSize ? LvmUuid(Text(head, (int)pvHeader, LvmPvUuidLength)) : null;
            var group = ReadVolumeGroupName(device, head, pvHeader + LvmPvUuidLength + 8, label + SectorSize);
            return new StorageSignature(
                "LVM2_member",
                group is null ? "LVM2 physical volume (no volume group metadata found)" : $"LVM2 physical volume (volume group {group})",
                uuid,
                null);
        }

        return null;
    }

    /// <summary>Walks the pv_header's disk_locn lists (data areas, then metadata areas, each ended by a zero offset)
    /// to the first metadata area, then to the text metadata, whose first line is "vgname {".</summary>
    private static string? ReadVolumeGroupName(IBlockDevice device, byte[] head, long list, long sectorEnd)
    {
        var position = list;
        for (var areaList = 0; areaList < 2; areaList++)
        {
            while (true)
            {
                if (position + 16 > sectorEnd)
                {
                    return null;
                }

                var offset = ReadLe64(head, (int)position);
                position += 16;
                if (offset == 0)
                {
                    break;
                }

                if (areaList == 1)
                {
                    return ReadMetadataAreaName(device, offset);
                }
            }
        }

        return null;
    }

    private static string? ReadMetadataAreaName(IBlockDevice device, ulong mdaStart)
    {
        if (mdaStart > (ulong)device.Length || (ulong)device.Length - mdaStart < LvmMdaHeaderSize)
        {
            return null;
        }

        var header = new byte[LvmMdaHeaderSize];
        device.Read((long)mdaStart, header);
        if (!Has(header, LvmMdaMagicOffset, LvmMdaMagic))
        {
            return null;
        }

        var mdaSize = ReadLe64(header, 32);
        var textOffset = ReadLe64(header, LvmRawLocnOffset);
        var textSize = ReadLe64(header, LvmRawLocnOffset + 8);
        if (textOffset == 0 || textSize == 0 || textOffset >= mdaSize || textOffset >= (ulong)device.Length - mdaStart)
        {
            return null;
        }

        var length = (int)Math.Min(Math.Min(textSize, 256), Math.Min(mdaSize - textOffset, (ulong)device.Length - mdaStart - textOffset));
        var text = new byte[length];
        device.Read((long)(mdaStart + textOffset), text);
        var end = Array.FindIndex(text, b => b is (byte)' ' or (byte)'{' or (byte)'\n');
        if (end <= 0)
        {
            return null;
        }

        var name = Encoding.ASCII.GetString(text, 0, end);
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '_' or '.' or '-') ? name : null;
    }

    private static StorageSignature? ProbeMd(IBlockDevice device, byte[] head)
    {
        if (ReadLe32(head, 0) == MdMagic || ReadLe32(head, 4096) == MdMagic)
        {
            return MdSignature();
        }

        // 1.0: 8 KiB before the end, rounded down to 4 KiB.
        var end10 = ((device.Length - 8192) & ~4095L);
        if (end10 > HeadLength)
        {
            var magic = new byte[4];
            device.Read(end10, magic);
            if (BinaryPrimitives.ReadUInt32LittleEndian(magic) == MdMagic)
            {
                return MdSignature();
            }
        }

        return null;

        static StorageSignature MdSignature() => new("linux_raid_member", "Linux software RAID (md) member", null, null);
    }

    private static StorageSignature? ProbeFat(byte[] head)
    {
        if (!Has(head, BootSignatureOffset, [0x55, 0xAA]) || head[0] is not (0xEB or 0xE9))
        {
            return null;
        }

        if (Has(head, 82, "FAT32   "u8))
        {
            return new StorageSignature("vfat", "vfat (FAT32)", FatSerial(head, 67), FatLabel(head, 71));
        }

        foreach (var kind in new[] { "FAT12", "FAT16" })
        {
            if (Has(head, 54, Encoding.ASCII.GetBytes(kind + "   ")))
            {
                return new StorageSignature("vfat", $"vfat ({kind})", FatSerial(head, 39), FatLabel(head, 43));
            }
        }

        return null;
    }

    private static StorageSignature? ProbeSwap(byte[] head)
    {
        foreach (var page in SwapPageSizes)
        {
            if (Has(head, page - 10, "SWAPSPACE2"u8) || Has(head, page - 10, "SWAP-SPACE"u8))
            {
                return new StorageSignature("swap", "swap space", Uuid(head, SwapUuidOffset), Text(head, SwapLabelOffset, 16));
            }
        }

        return null;
    }

    private static StorageSignature? ProbeIso9660(byte[] head) =>
        head.Length > IsoDescriptor && head[IsoDescriptor] == 1 && Has(head, IsoDescriptor + 1, "CD001"u8)
            ? new StorageSignature("iso9660", "iso9660 (CD/DVD image)", null, Text(head, IsoDescriptor + 40, 32))
            : null;

    private static StorageSignature? ProbeBtrfs(byte[] head) =>
        Has(head, BtrfsSuperblock + 64, "_BHRfS_M"u8)
            ? new StorageSignature("btrfs", "btrfs", Uuid(head, BtrfsSuperblock + 32), Text(head, BtrfsSuperblock + 299, 256))
            : null;

    private static StorageSignature? ProbeReiser(byte[] head) =>
        Has(head, BtrfsSuperblock + 52, "ReIsErFs"u8) || Has(head, BtrfsSuperblock + 52, "ReIsEr2Fs"u8) || Has(head, BtrfsSuperblock + 52, "ReIsEr3Fs"u8)
            ? new StorageSignature("reiserfs", "reiserfs", null, null)
            : null;

    private static bool Has(byte[] data, int offset, ReadOnlySpan<byte> magic) =>
        offset >= 0 && offset + magic.Length <= data.Length && data.AsSpan(offset, magic.Length).SequenceEqual(magic);

    private static uint ReadLe32(byte[] data, int offset) =>
        offset >= 0 && offset + 4 <= data.Length ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : 0;

    private static ulong ReadLe64(byte[] data, int offset) =>
        offset >= 0 && offset + 8 <= data.Length ? BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(offset)) : 0;

    /// <summary>A NUL- or space-padded ASCII field; null when empty or not printable.</summary>
    private static string? Text(byte[] data, int offset, int length)
    {
        if (offset < 0 || offset + length > data.Length)
        {
            return null;
        }

        var field = data.AsSpan(offset, length);
        var end = field.IndexOf((byte)0);
        var text = Encoding.ASCII.GetString(end >= 0 ? field[..end] : field).TrimEnd(' ');
        return text.Length == 0 || text.Any(char.IsControl) || text.Any(c => c > '~') ? null : text;
    }

    /// <summary>16 raw bytes as a lower-case UUID, in byte order (as blkid and fstab's UUID= write it); null when all zero.</summary>
    private static string? Uuid(byte[] data, int offset)
    {
        if (offset < 0 || offset + 16 > data.Length || data.AsSpan(offset, 16).IndexOfAnyExcept((byte)0) < 0)
        {
            return null;
        }

        var hex = Convert.ToHexStringLower(data, offset, 16);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>LVM prints a PV UUID of 32 characters in groups of 6-4-4-4-4-4-6.</summary>
    private static string? LvmUuid(string? raw)
    {
        if (raw is not { Length: LvmPvUuidLength })
        {
            return null;
        }

        return string.Join('-', raw[..6], raw[6..10], raw[10..14], raw[14..18], raw[18..22], raw[22..26], raw[26..]);
    }

    private static string? FatSerial(byte[] head, int offset)
    {
        var serial = ReadLe32(head, offset);
        return serial == 0 ? null : $"{serial >> 16:X4}-{serial & 0xFFFF:X4}";
    }

    private static string? FatLabel(byte[] head, int offset)
    {
        var label = Text(head, offset, 11);
        return label is null or "NO NAME" ? null : label;
    }
}
