using System.Buffers.Binary;
using Sealer.Core.Checksums;
using Sealer.Ext4.Journal;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>
/// Crafts JBD2 logs byte by byte (for shapes debugfs cannot make: wrap-around, tid wrap, v1, COMPAT_CHECKSUM,
/// malformed blocks). Blocks are kept per journal block and written out through a <see cref="JournalBlockMap"/>.
/// </summary>
internal sealed class JournalBuilder
{
    public const uint Magic = 0xC03B3998;
    private readonly byte[] _superblock;
    private uint _runningCrc32 = uint.MaxValue;

    public JournalBuilder(int blockSize, uint maxLength, uint sequence, uint start, JournalIncompat incompat,
        JournalCompat compat = JournalCompat.None, byte[]? baseSuperblock = null, bool version1 = false)
    {
        BlockSize = blockSize;
        MaxLength = maxLength;
        Incompat = incompat;
        Compat = compat;
        Next = start;
        _superblock = baseSuperblock is null ? new byte[1024] : baseSuperblock[..1024];
        var sb = _superblock.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(sb, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(sb[4..], version1 ? 3u : 4u);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x0C..], (uint)blockSize);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x10..], maxLength);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x14..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x18..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x1C..], start);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x24..], (uint)compat);
        BinaryPrimitives.WriteUInt32BigEndian(sb[0x28..], (uint)incompat);
        if (sb.Slice(0x30, 16).IndexOfAnyExcept((byte)0) < 0)
        {
            new Random(7).NextBytes(sb.Slice(0x30, 16));
        }

        sb[0x50] = (byte)(HasCsum ? 4 : 0);
        Seed = Crc32C.Update(0xFFFFFFFF, sb.Slice(0x30, 16));
    }

    public int BlockSize { get; }

    public uint MaxLength { get; }

    public JournalIncompat Incompat { get; }

    public JournalCompat Compat { get; }

    /// <summary>Journal block the next log block goes to.</summary>
    public uint Next { get; set; }

    public uint Seed { get; }

    public Dictionary<uint, byte[]> Blocks { get; } = [];

    private bool HasCsum => (Incompat & (JournalIncompat.CsumV2 | JournalIncompat.CsumV3)) != 0;

    private bool Is64 => (Incompat & JournalIncompat.Bit64) != 0;

    public Span<byte> SuperblockBytes => _superblock;

    public JournalBuilder Descriptor(uint tid, params (long Target, byte[] Data)[] writes) => Descriptor(tid, writes, lastTag: true);

    public JournalBuilder Descriptor(uint tid, (long Target, byte[] Data)[] writes, bool lastTag)
    {
        var block = Header(1, tid);
        var offset = 12;
        var stored = new List<byte[]>();
        for (var i = 0; i < writes.Length; i++)
        {
            var data = (byte[])writes[i].Data.Clone();
            ushort flags = i == 0 ? (ushort)0 : (ushort)2;
            if (BinaryPrimitives.ReadUInt32BigEndian(data) == Magic)
            {
                data.AsSpan(0, 4).Clear();
                flags |= 1;
            }

            if (lastTag && i == writes.Length - 1)
            {
                flags |= 8;
            }

            var tagCrc = Crc32C.Update(Crc32C.Update(Seed, BigEndian(tid)), data);
            var tag = block.AsSpan(offset);
            BinaryPrimitives.WriteUInt32BigEndian(tag, (uint)writes[i].Target);
            if ((Incompat & JournalIncompat.CsumV3) != 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(tag[4..], flags);
                BinaryPrimitives.WriteUInt32BigEndian(tag[8..], (uint)((ulong)writes[i].Target >> 32));
                BinaryPrimitives.WriteUInt32BigEndian(tag[12..], tagCrc);
                offset += 16;
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(tag[4..], (ushort)((Incompat & JournalIncompat.CsumV2) != 0 ? tagCrc : 0));
                BinaryPrimitives.WriteUInt16BigEndian(tag[6..], flags);
                offset += 8;
                if (Is64)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(tag[8..], (uint)((ulong)writes[i].Target >> 32));
                    offset += 4;
                }

                offset += (Incompat & JournalIncompat.CsumV2) != 0 ? 2 : 0;
            }

            if (i == 0)
            {
                _superblock.AsSpan(0x30, 16).CopyTo(block.AsSpan(offset));
                offset += 16;
            }

            stored.Add(data);
        }

        SetTail(block);
        Put(block);
        foreach (var data in stored)
        {
            Put(data);
        }

        return this;
    }

    public JournalBuilder Revoke(uint tid, long[] blocks, uint? byteCount = null)
    {
        var block = Header(5, tid);
        var size = Is64 ? 8 : 4;
        var offset = 16;
        foreach (var target in blocks)
        {
            if (Is64)
            {
                BinaryPrimitives.WriteUInt64BigEndian(block.AsSpan(offset), (ulong)target);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(offset), (uint)target);
            }

            offset += size;
        }

        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(12), byteCount ?? (uint)offset);
        SetTail(block);
        Put(block, addToRunningCrc: false);
        return this;
    }

    public JournalBuilder Commit(uint tid, ulong seconds = 1_700_000_000, bool corrupt = false)
    {
        var block = Header(2, tid);
        BinaryPrimitives.WriteUInt64BigEndian(block.AsSpan(0x30), seconds);
        if ((Compat & JournalCompat.Checksum) != 0)
        {
            block[0x0C] = 1;
            block[0x0D] = 4;
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(0x10), _runningCrc32 ^ (corrupt ? 1u : 0u));
        }
        else if (HasCsum)
        {
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(0x10), Crc32C.Update(Seed, block) ^ (corrupt ? 1u : 0u));
        }

        _runningCrc32 = uint.MaxValue;
        Put(block, addToRunningCrc: false);
        return this;
    }

    public JournalBuilder Raw(byte[] block)
    {
        Put(block, addToRunningCrc: false);
        return this;
    }

    public byte[] FinishSuperblock()
    {
        if (HasCsum)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_superblock.AsSpan(0xFC), 0);
            BinaryPrimitives.WriteUInt32BigEndian(_superblock.AsSpan(0xFC), Crc32C.Update(0xFFFFFFFF, _superblock));
        }

        return _superblock;
    }

    /// <summary>Writes the superblock (into the first 1024 bytes of journal block 0) and every crafted block.</summary>
    public void WriteTo(byte[] image, JournalBlockMap map)
    {
        FinishSuperblock().CopyTo(image.AsSpan(checked((int)(map(0) * BlockSize))));
        foreach (var (journalBlock, data) in Blocks)
        {
            data.CopyTo(image.AsSpan(checked((int)(map(journalBlock) * BlockSize))));
        }
    }

    public byte[] Header(uint type, uint tid)
    {
        var block = new byte[BlockSize];
        BinaryPrimitives.WriteUInt32BigEndian(block, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(8), tid);
        return block;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private void SetTail(byte[] block)
    {
        if (HasCsum)
        {
            // The tail is still zero here, which is how the checksum is defined.
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(BlockSize - 4), Crc32C.Update(Seed, block));
        }
    }

    private void Put(byte[] block, bool addToRunningCrc = true)
    {
        if (addToRunningCrc)
        {
            _runningCrc32 = Crc32Be.Update(_runningCrc32, block);
        }

        Blocks[Next] = block;
        Next = Next + 1 >= MaxLength ? 1 : Next + 1;
    }
}
