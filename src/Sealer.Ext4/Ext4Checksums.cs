using System.Buffers.Binary;
using Sealer.Core.Checksums;

namespace Sealer.Ext4;

/// <summary>The checksum recipes of ext4 (metadata_csum crc32c seeds, and the crc16 of uninit_bg descriptors).</summary>
internal static class Ext4Checksums
{
    private static readonly ushort[] Crc16Table = BuildCrc16Table();

    /// <summary>Per-inode seed: crc32c over the inode number and generation, continued from the fs seed.</summary>
    public static uint InodeSeed(uint fsSeed, uint inode, uint generation)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, inode);
        var crc = Crc32C.Update(fsSeed, word);
        BinaryPrimitives.WriteUInt32LittleEndian(word, generation);
        return Crc32C.Update(crc, word);
    }

    /// <summary>Reflected CRC-16 (poly 0xA001), as e2fsprogs' ext2fs_crc16.</summary>
    public static ushort Crc16(ushort crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ Crc16Table[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildCrc16Table()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var c = (ushort)i;
            for (var k = 0; k < 8; k++)
            {
                c = (ushort)((c & 1) != 0 ? (c >> 1) ^ 0xA001 : c >> 1);
            }

            table[i] = c;
        }

        return table;
    }
}
