using System.Buffers.Binary;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4;

/// <summary>A private copy of one on-disk inode with typed accessors; saved back through <see cref="InodeTable"/>.</summary>
internal sealed class Ext4Inode(uint number, byte[] raw)
{
    public const uint FlagIndex = 0x1000;
    public const uint FlagEncrypt = 0x800;
    public const uint FlagHugeFile = 0x40000;
    public const uint FlagExtents = 0x80000;
    public const uint FlagVerity = 0x100000;
    public const uint FlagEaInode = 0x200000;
    public const uint FlagInlineData = 0x10000000;
    public const uint FlagCasefold = 0x40000000;
    public const int BlockMapOffset = 0x28;
    public const int BlockMapSize = 60;

    public uint Number { get; } = number;

    public byte[] Raw { get; } = raw;

    public ushort Mode
    {
        get => U16(0x00);
        set => SetU16(0x00, value);
    }

    public FileKind Kind => KindOf(Mode);

    public int Uid
    {
        get => U16(0x02) | (U16(0x78) << 16);
        set
        {
            SetU16(0x02, (ushort)value);
            SetU16(0x78, (ushort)(value >> 16));
        }
    }

    public int Gid
    {
        get => U16(0x18) | (U16(0x7A) << 16);
        set
        {
            SetU16(0x18, (ushort)value);
            SetU16(0x7A, (ushort)(value >> 16));
        }
    }

    public long Size
    {
        get => (long)(U32(0x04) | ((ulong)U32(0x6C) << 32));
        set
        {
            SetU32(0x04, (uint)value);
            SetU32(0x6C, (uint)((ulong)value >> 32));
        }
    }

    public ushort LinksCount
    {
        get => U16(0x1A);
        set => SetU16(0x1A, value);
    }

    public uint Flags
    {
        get => U32(0x20);
        set => SetU32(0x20, value);
    }

    public uint DeletionTime
    {
        get => U32(0x14);
        set => SetU32(0x14, value);
    }

    public uint Generation
    {
        get => U32(0x64);
        set => SetU32(0x64, value);
    }

    public long FileAcl
    {
        get => U32(0x68) | ((long)U16(0x76) << 32);
        set
        {
            SetU32(0x68, (uint)value);
            SetU16(0x76, (ushort)(value >> 32));
        }
    }

    public ushort ExtraIsize => Raw.Length > 128 ? U16(0x80) : (ushort)0;

    public bool HasFlag(uint flag) => (Flags & flag) != 0;

    public Span<byte> BlockMap => Raw.AsSpan(BlockMapOffset, BlockMapSize);

    public long AccessTime => ReadTime(0x08, 0x8C);

    public long ChangeTime => ReadTime(0x0C, 0x84);

    public long ModifiedTime => ReadTime(0x10, 0x88);

    public void SetAccessTime(long seconds) => WriteTime(0x08, 0x8C, seconds);

    public void SetChangeTime(long seconds) => WriteTime(0x0C, 0x84, seconds);

    public void SetModifiedTime(long seconds) => WriteTime(0x10, 0x88, seconds);

    public void SetCreationTime(long seconds) => WriteTime(0x90, 0x94, seconds);

    public void SetSectors(long sectors, bool hugeFileFeature, int blockSize)
    {
        var value = sectors;
        if (hugeFileFeature && HasFlag(FlagHugeFile))
        {
            value = sectors / (blockSize / 512);
        }

        SetU32(0x1C, (uint)value);
        if (hugeFileFeature)
        {
            SetU16(0x74, (ushort)(value >> 32));
        }
    }

    public static FileKind KindOf(ushort mode) => FileModeBits.KindOf(mode);

    public static byte DirentType(FileKind kind) => kind switch
    {
        FileKind.Regular => 1,
        FileKind.Directory => 2,
        FileKind.CharacterDevice => 3,
        FileKind.BlockDevice => 4,
        FileKind.Fifo => 5,
        FileKind.Socket => 6,
        FileKind.Symlink => 7,
        _ => 0,
    };

    private bool HasExtraField(int extraOffset) => Raw.Length > 128 && 128 + ExtraIsize >= extraOffset + 4;

    private long ReadTime(int baseOffset, int extraOffset)
    {
        long seconds = (int)U32(baseOffset);
        if (HasExtraField(extraOffset))
        {
            seconds += (long)(U32(extraOffset) & 3) << 32;
        }

        return seconds;
    }

    private void WriteTime(int baseOffset, int extraOffset, long seconds)
    {
        if (baseOffset >= 128 && !HasExtraField(extraOffset))
        {
            return;
        }

        SetU32(baseOffset, (uint)seconds);
        if (HasExtraField(extraOffset))
        {
            var epoch = (uint)(((seconds - (int)seconds) >> 32) & 3);
            SetU32(extraOffset, epoch);
        }
    }

    private ushort U16(int o) => BinaryPrimitives.ReadUInt16LittleEndian(Raw.AsSpan(o));

    private uint U32(int o) => BinaryPrimitives.ReadUInt32LittleEndian(Raw.AsSpan(o));

    private void SetU16(int o, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(Raw.AsSpan(o), v);

    private void SetU32(int o, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Raw.AsSpan(o), v);
}
