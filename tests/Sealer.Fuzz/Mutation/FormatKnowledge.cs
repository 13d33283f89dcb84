using System.Buffers.Binary;
using System.IO.Hashing;
using Sealer.Core.Checksums;
using Sealer.Fuzz.Targets;

namespace Sealer.Fuzz.Mutation;

/// <summary>
/// What the mutator knows about each input format: the offsets of header and table fields in a given seed (from the
/// public format specs: qcow2, UEFI GPT, MBR/EBR, ext4, JBD2), the ranges that hold structure, and the checksums it
/// can recompute after a mutation so that a changed field gets past the first checksum test and reaches the parser.
/// </summary>
public sealed class FormatKnowledge
{
    private const int Ext4Sb = 1024;
    private const uint JournalMagic = 0xC03B3998;

    private FormatKnowledge(List<Field> fields, List<HotRange> hot, Action<byte[]> fixChecksums)
    {
        Fields = fields;
        Hot = hot;
        FixChecksums = fixChecksums;
    }

    public IReadOnlyList<Field> Fields { get; }

    public IReadOnlyList<HotRange> Hot { get; }

    public Action<byte[]> FixChecksums { get; }

    public static FormatKnowledge For(InputFormat format, byte[] seed) => format switch
    {
        InputFormat.Qcow2 => Qcow2(seed),
        InputFormat.Disk => Disk(seed),
        InputFormat.Ext4 => Ext4(seed, journal: false),
        InputFormat.Ext4WithJournal => Ext4(seed, journal: true),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static FormatKnowledge Qcow2(byte[] seed)
    {
        var fields = new List<Field>();
        var hot = new List<HotRange>();
        void F(int offset, int width) => AddField(fields, seed, offset, width, bigEndian: true);
        foreach (var (offset, width) in new[] { (4, 4), (8, 8), (16, 4), (20, 4), (24, 8), (32, 4), (36, 4), (40, 8), (48, 8), (56, 4),
                     (60, 4), (64, 8), (72, 8), (80, 8), (88, 8), (96, 4), (100, 4), (104, 1) })
        {
            F(offset, width);
        }

        if (seed.Length < 112)
        {
            return new FormatKnowledge(fields, hot, _ => { });
        }

        var clusterBits = (int)Math.Clamp(BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(20)), 9, 21);
        var clusterSize = 1 << clusterBits;
        hot.Add(new HotRange(0, Math.Min(clusterSize, seed.Length)));

        // Header extensions: type and length words, from the header length on.
        var headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(100)), 4096);
        for (var at = Math.Max(headerLength, 72); at + 8 <= Math.Min(seed.Length, clusterSize); )
        {
            F(at, 4);
            F(at + 4, 4);
            var type = BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(at));
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(at + 4)), 4096);
            if (type == 0)
            {
                break;
            }

            for (var f = at + 8; f + 8 <= at + 8 + length && f + 8 <= seed.Length; f += 8)
            {
                F(f, 8);
            }

            at += 8 + ((length + 7) & ~7);
        }

        var l1Offset = (long)BinaryPrimitives.ReadUInt64BigEndian(seed.AsSpan(40));
        var l1Size = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(36)), 64);
        AddTable(seed, fields, hot, l1Offset, l1Size, clusterSize);
        for (var i = 0; i < l1Size && l1Offset + (i * 8) + 8 <= seed.Length; i++)
        {
            var l2 = (long)(BinaryPrimitives.ReadUInt64BigEndian(seed.AsSpan((int)l1Offset + (i * 8))) & 0x00FFFFFFFFFFFE00);
            AddTable(seed, fields, hot, l2, 64, clusterSize);
        }

        var refcountTable = (long)BinaryPrimitives.ReadUInt64BigEndian(seed.AsSpan(48));
        AddTable(seed, fields, hot, refcountTable, 16, clusterSize);
        for (var i = 0; i < 4 && refcountTable + (i * 8) + 8 <= seed.Length; i++)
        {
            var block = (long)BinaryPrimitives.ReadUInt64BigEndian(seed.AsSpan((int)refcountTable + (i * 8)));
            if (block > 0 && block + 64 <= seed.Length)
            {
                hot.Add(new HotRange((int)block, Math.Min(clusterSize, seed.Length - (int)block)));
                for (var f = 0; f < 64; f += 2)
                {
                    F((int)block + f, 2);
                }
            }
        }

        var snapshots = (long)BinaryPrimitives.ReadUInt64BigEndian(seed.AsSpan(64));
        if (snapshots > 0 && snapshots + 40 <= seed.Length)
        {
            hot.Add(new HotRange((int)snapshots, Math.Min(1024, seed.Length - (int)snapshots)));
            foreach (var (offset, width) in new[] { (0, 8), (8, 4), (12, 2), (14, 2), (16, 4), (20, 4), (24, 8), (32, 4), (36, 4) })
            {
                F((int)snapshots + offset, width);
            }
        }

        return new FormatKnowledge(fields, hot, _ => { });
    }

    private static void AddTable(byte[] seed, List<Field> fields, List<HotRange> hot, long offset, int entries, int clusterSize)
    {
        if (offset <= 0 || offset >= seed.Length)
        {
            return;
        }

        hot.Add(new HotRange((int)offset, (int)Math.Min(clusterSize, seed.Length - offset)));
        for (var i = 0; i < entries; i++)
        {
            AddField(fields, seed, (int)offset + (i * 8), 8, bigEndian: true);
        }
    }

    private static FormatKnowledge Disk(byte[] seed)
    {
        var fields = new List<Field>();
        var hot = new List<HotRange> { new(0, Math.Min(seed.Length, 34 * 512)) };
        void MbrTable(int sector)
        {
            for (var e = 0; e < 4; e++)
            {
                var at = (sector * 512) + 446 + (e * 16);
                AddField(fields, seed, at, 1, bigEndian: false);
                AddField(fields, seed, at + 4, 1, bigEndian: false);
                AddField(fields, seed, at + 8, 4, bigEndian: false);
                AddField(fields, seed, at + 12, 4, bigEndian: false);
            }
        }

        MbrTable(0);
        for (var sector = 1; (sector * 512) + 512 <= seed.Length; sector++)
        {
            var at = sector * 512;
            if (seed[at + 510] == 0x55 && seed[at + 511] == 0xAA)
            {
                MbrTable(sector);
                hot.Add(new HotRange(at, 512));
            }
        }

        foreach (var header in GptHeaders(seed))
        {
            hot.Add(new HotRange(header, 512));
            foreach (var (offset, width) in new[] { (8, 4), (12, 4), (24, 8), (32, 8), (40, 8), (48, 8), (72, 8), (80, 4), (84, 4) })
            {
                AddField(fields, seed, header + offset, width, bigEndian: false);
            }

            var entries = (long)BinaryPrimitives.ReadUInt64LittleEndian(seed.AsSpan(header + 72)) * 512;
            for (var e = 0; e < 8 && entries + (e * 128) + 128 <= seed.Length; e++)
            {
                var at = (int)entries + (e * 128);
                AddField(fields, seed, at + 32, 8, bigEndian: false);
                AddField(fields, seed, at + 40, 8, bigEndian: false);
                AddField(fields, seed, at + 48, 8, bigEndian: false);
                hot.Add(new HotRange(at, 128));
            }
        }

        return new FormatKnowledge(fields, hot, FixGpt);
    }

    private static IEnumerable<int> GptHeaders(byte[] data)
    {
        if (data.Length >= 1024 && data.AsSpan(512, 8).SequenceEqual("EFI PART"u8))
        {
            yield return 512;
            var alternate = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(512 + 32));
            if (alternate > 1 && alternate < (ulong)(data.Length / 512) && data.AsSpan((int)alternate * 512, 8).SequenceEqual("EFI PART"u8))
            {
                yield return (int)alternate * 512;
            }
        }
    }

    /// <summary>Recomputes the entries CRC and header CRC of every GPT header (as a partitioning tool would).</summary>
    private static void FixGpt(byte[] data)
    {
        foreach (var header in GptHeaders(data).ToList())
        {
            var span = data.AsSpan(header, 512);
            var headerSize = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
            var entriesLba = BinaryPrimitives.ReadUInt64LittleEndian(span[72..]);
            var entriesAt = entriesLba < (ulong)data.Length / 512 ? entriesLba * 512 : ulong.MaxValue / 2;
            var count = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[80..]);
            var size = (ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[84..]);
            if (count * size < 1 << 20 && entriesAt + (count * size) <= (ulong)data.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[88..], Crc32.HashToUInt32(data.AsSpan((int)entriesAt, (int)(count * size))));
            }

            if (headerSize is >= 92 and <= 512)
            {
                span.Slice(16, 4).Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(span[16..], Crc32.HashToUInt32(span[..(int)headerSize]));
            }
        }
    }

    private static FormatKnowledge Ext4(byte[] seed, bool journal)
    {
        var fields = new List<Field>();
        var hot = new List<HotRange> { new(Ext4Sb, Math.Min(1024, Math.Max(0, seed.Length - Ext4Sb))) };
        void F(int offset, int width, bool bigEndian = false) => AddField(fields, seed, offset, width, bigEndian);
        foreach (var (offset, width) in new[] { (0x0, 4), (0x4, 4), (0x8, 4), (0xC, 4), (0x10, 4), (0x14, 4), (0x18, 4), (0x1C, 4),
                     (0x20, 4), (0x24, 4), (0x28, 4), (0x38, 2), (0x3A, 2), (0x4C, 4), (0x54, 4), (0x58, 2), (0x5A, 2), (0x5C, 4),
                     (0x60, 4), (0x64, 4), (0xCE, 2), (0xE0, 4), (0xE8, 4), (0xFC, 1), (0xFE, 2), (0x100, 4), (0x104, 4),
                     (0x150, 4), (0x15C, 2), (0x15E, 2), (0x174, 1), (0x175, 1), (0x270, 4) })
        {
            F(Ext4Sb + offset, width);
        }

        if (seed.Length < Ext4Sb + 1024)
        {
            return new FormatKnowledge(fields, hot, _ => { });
        }

        var sb = seed.AsSpan(Ext4Sb);
        var logBlock = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(sb[0x18..]), 6);
        var blockSize = 1024 << logBlock;
        var is64 = (BinaryPrimitives.ReadUInt32LittleEndian(sb[0x60..]) & 0x80) != 0;
        var descSize = is64 ? Math.Max((int)BinaryPrimitives.ReadUInt16LittleEndian(sb[0xFE..]), 32) : 32;
        var gdt = blockSize == 1024 ? 2048 : blockSize;
        var inodeSize = Math.Max((int)BinaryPrimitives.ReadUInt16LittleEndian(sb[0x58..]), 128);
        for (var g = 0; g < 4 && gdt + ((g + 1) * descSize) <= seed.Length; g++)
        {
            var d = gdt + (g * descSize);
            foreach (var (offset, width) in new[] { (0x0, 4), (0x4, 4), (0x8, 4), (0xC, 2), (0xE, 2), (0x10, 2), (0x12, 2), (0x1C, 2), (0x1E, 2) })
            {
                F(d + offset, width);
            }
        }

        hot.Add(new HotRange(gdt, Math.Min(blockSize, seed.Length - gdt)));
        var inodeTable = gdt + 8 <= seed.Length ? (long)BinaryPrimitives.ReadUInt32LittleEndian(seed.AsSpan(gdt + 8)) * blockSize : 0;
        for (var i = 0; i < 16 && inodeTable > 0 && inodeTable + ((i + 1) * inodeSize) <= seed.Length; i++)
        {
            var n = (int)inodeTable + (i * inodeSize);
            foreach (var (offset, width) in new[] { (0x0, 2), (0x4, 4), (0x1A, 2), (0x1C, 4), (0x20, 4), (0x28, 2), (0x2A, 2), (0x2C, 2),
                         (0x2E, 2), (0x34, 4), (0x38, 2), (0x3A, 2), (0x3C, 4), (0x40, 4), (0x60, 4), (0x64, 4), (0x68, 4), (0x6C, 4), (0x80, 2) })
            {
                F(n + offset, width);
            }

            hot.Add(new HotRange(n, inodeSize));
        }

        // Every non-zero block of a small seed is structure or file content worth hitting (directories, extent blocks).
        for (var at = 0; at + blockSize <= seed.Length && hot.Count < 512; at += blockSize)
        {
            if (seed.AsSpan(at, blockSize).IndexOfAnyExcept((byte)0) >= 0)
            {
                hot.Add(new HotRange(at, blockSize));
            }
        }

        if (journal)
        {
            for (var at = 0; at + blockSize <= seed.Length; at += blockSize)
            {
                if (BinaryPrimitives.ReadUInt32BigEndian(seed.AsSpan(at)) != JournalMagic)
                {
                    continue;
                }

                // Journal superblock, descriptor, commit and revoke blocks: every big-endian word of the first 0x100 bytes.
                hot.Add(new HotRange(at, Math.Min(blockSize, 256)));
                hot.Add(new HotRange(at, Math.Min(blockSize, 256)));
                for (var f = 4; f < 0x100; f += 4)
                {
                    F(at + f, 4, bigEndian: true);
                }
            }
        }

        return new FormatKnowledge(fields, hot, FixExt4Superblock);
    }

    /// <summary>Recomputes the superblock crc32c when metadata_csum is on.</summary>
    private static void FixExt4Superblock(byte[] data)
    {
        if (data.Length < Ext4Sb + 1024)
        {
            return;
        }

        var sb = data.AsSpan(Ext4Sb, 1024);
        if ((BinaryPrimitives.ReadUInt32LittleEndian(sb[0x64..]) & 0x400) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sb[0x3FC..], Crc32C.Update(0xFFFFFFFF, sb[..0x3FC]));
        }
    }

    private static void AddField(List<Field> fields, byte[] seed, int offset, int width, bool bigEndian)
    {
        if (offset >= 0 && offset + width <= seed.Length)
        {
            fields.Add(new Field(offset, width, bigEndian));
        }
    }
}
