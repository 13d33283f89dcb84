using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>Reading of inline_data files and directories (i_block plus the in-inode "system.data" attribute).</summary>
internal static class InlineData
{
    private const uint XattrMagic = 0xEA020000;
    private const byte SystemIndex = 7;

    public static byte[] ReadContent(Ext4Inode inode)
    {
        var size = inode.Size;
        var extra = SystemData(inode);
        if (size < 0 || size > Ext4Inode.BlockMapSize + extra.Length)
        {
            throw new InvalidImageException($"ext4: inline inode {inode.Number} size {size} exceeds its inline space");
        }

        var all = new byte[Ext4Inode.BlockMapSize + extra.Length];
        inode.BlockMap.CopyTo(all);
        extra.CopyTo(all.AsSpan(Ext4Inode.BlockMapSize));
        return all[..(int)size];
    }

    public static IEnumerable<RawDirEntry> ReadDirectory(Ext4Context ctx, Ext4Inode dir)
    {
        var list = new List<RawDirEntry>
        {
            new(".", dir.Number, 2, 0, 0),
            new("..", BinaryPrimitives.ReadUInt32LittleEndian(dir.BlockMap), 2, 0, 0),
        };
        Parse(ctx, dir, dir.BlockMap[4..].ToArray(), list);
        Parse(ctx, dir, SystemData(dir), list);
        return list;
    }

    private static void Parse(Ext4Context ctx, Ext4Inode dir, byte[] area, List<RawDirEntry> into)
    {
        var offset = 0;
        while (offset + 8 <= area.Length)
        {
            var inode = BinaryPrimitives.ReadUInt32LittleEndian(area.AsSpan(offset));
            int recLen = BinaryPrimitives.ReadUInt16LittleEndian(area.AsSpan(offset + 4));
            int nameLen = area[offset + 6];
            if (recLen < 8 || recLen % 4 != 0 || offset + recLen > area.Length || 8 + nameLen > recLen)
            {
                throw new InvalidImageException($"ext4: inline directory entry of inode {dir.Number} at byte {offset} is invalid");
            }

            if (inode != 0)
            {
                if (inode > ctx.Sb.InodesCount)
                {
                    throw new InvalidImageException($"ext4: inline directory {dir.Number} names inode {inode} out of range");
                }

                into.Add(new RawDirEntry(Encoding.UTF8.GetString(area, offset + 8, nameLen), inode, area[offset + 7], 0, -1));
            }

            offset += recLen;
        }
    }

    /// <summary>The value of the in-inode "system.data" attribute (empty when absent).</summary>
    private static byte[] SystemData(Ext4Inode inode)
    {
        var raw = inode.Raw;
        var start = 128 + inode.ExtraIsize;
        if (raw.Length <= 128 || start + 4 > raw.Length || BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(start)) != XattrMagic)
        {
            return [];
        }

        var first = start + 4;
        var offset = first;
        while (offset + 16 <= raw.Length && BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(offset)) != 0)
        {
            var nameLen = raw[offset];
            var index = raw[offset + 1];
            var valueOffs = BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(offset + 2));
            var valueSize = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(offset + 8));
            if (offset + 16 + nameLen > raw.Length)
            {
                break;
            }

            if (index == SystemIndex && raw.AsSpan(offset + 16, nameLen).SequenceEqual("data"u8))
            {
                if (first + valueOffs + (long)valueSize > raw.Length)
                {
                    throw new InvalidImageException($"ext4: inode {inode.Number} system.data value is outside the inode");
                }

                return raw.AsSpan(first + valueOffs, (int)valueSize).ToArray();
            }

            offset += (16 + nameLen + 3) & ~3;
        }

        return [];
    }
}
