using System.Buffers.Binary;

namespace Sealer.Ext4;

/// <summary>The mutable superblock fields, changed in the cached block and re-sealed with the superblock checksum.</summary>
internal sealed class SuperblockWriter(Ext4Superblock sb, BlockCache cache)
{
    private readonly long _block = sb.BlockSize == 1024 ? 1 : 0;
    private readonly int _offset = sb.BlockSize == 1024 ? 0 : Ext4Superblock.Offset;

    public long FreeBlocks
    {
        get
        {
            var s = Read();
            return BinaryPrimitives.ReadUInt32LittleEndian(s[0x0C..]) |
                   (sb.Is64Bit ? (long)BinaryPrimitives.ReadUInt32LittleEndian(s[0x158..]) << 32 : 0);
        }
    }

    public long FreeInodes => BinaryPrimitives.ReadUInt32LittleEndian(Read()[0x10..]);

    public uint Incompat => BinaryPrimitives.ReadUInt32LittleEndian(Read()[0x60..]);

    public void AddFreeBlocks(long delta)
    {
        var value = Math.Max(0, FreeBlocks + delta);
        var s = Write();
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x0C..], (uint)value);
        if (sb.Is64Bit)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[0x158..], (uint)(value >> 32));
        }

        Seal(s);
    }

    public void AddFreeInodes(long delta)
    {
        var value = Math.Max(0, FreeInodes + delta);
        var s = Write();
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x10..], (uint)value);
        Seal(s);
    }

    public void SetRoCompat(uint value)
    {
        var s = Write();
        BinaryPrimitives.WriteUInt32LittleEndian(s[0x64..], value);
        Seal(s);
    }

    public uint RoCompat => BinaryPrimitives.ReadUInt32LittleEndian(Read()[0x64..]);

    private void Seal(Span<byte> s)
    {
        if (sb.MetadataCsum)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[0x3FC..], Ext4Superblock.ComputeChecksum(s));
        }
    }

    private ReadOnlySpan<byte> Read() => cache.Get(_block).AsSpan(_offset, Ext4Superblock.Size);

    private Span<byte> Write() => cache.GetForWrite(_block).AsSpan(_offset, Ext4Superblock.Size);
}
