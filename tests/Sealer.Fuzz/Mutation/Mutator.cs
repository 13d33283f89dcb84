using System.Buffers.Binary;

namespace Sealer.Fuzz.Mutation;

/// <summary>
/// A deterministic mutator (one <see cref="Random"/> with a fixed seed): bit flips, bytes and integer fields set to
/// boundary values, small deltas on known fields, copies of ranges over other ranges, fills, truncation. Three of
/// four mutations aim at a known field or a structure-holding range; afterwards the format's checksums are fixed
/// half of the time, so that mutated values reach the parser behind the checksum test as well as the test itself.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 3, 7, 8, 9, 0x10, 0x1F, 0x20, 0x3F, 0x40, 0x7F, 0x80, 0xFF, 0x100, 0x1FF, 0x200, 0x3FF, 0x400, 0xFFF, 0x1000,
        0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF,
        0x8000000000000000, 0xFFFFFFFFFFFFFFFF,
    ];

    private readonly Random _random = new(seed);

    /// <summary>Returns a mutated copy of <paramref name="input"/>; <paramref name="knowledge"/> comes from the same seed.</summary>
    public byte[] Mutate(byte[] input, FormatKnowledge knowledge)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(knowledge);
        var data = (byte[])input.Clone();
        var count = 1 + _random.Next(4);
        for (var i = 0; i < count && data.Length > 0; i++)
        {
            data = MutateOnce(data, knowledge);
        }

        if (_random.Next(2) == 0)
        {
            knowledge.FixChecksums(data);
        }

        return data;
    }

    private byte[] MutateOnce(byte[] data, FormatKnowledge knowledge)
    {
        var fields = knowledge.Fields.Where(f => f.Offset + f.Width <= data.Length).ToList();
        switch (_random.Next(10))
        {
            case 0 or 1 or 2 when fields.Count > 0:
                SetField(data, fields[_random.Next(fields.Count)], Interesting[_random.Next(Interesting.Length)]);
                return data;
            case 3 when fields.Count > 0:
                var field = fields[_random.Next(fields.Count)];
                SetField(data, field, unchecked(ReadField(data, field) + (ulong)(long)(_random.Next(33) - 16)));
                return data;
            case 4 when fields.Count > 0:
                // A field set to a value tied to the input's own size: offsets just at and past the end.
                var sized = fields[_random.Next(fields.Count)];
                var units = new[] { 1, 512, 1024, 4096, 65536 }[_random.Next(5)];
                SetField(data, sized, (ulong)(data.Length / units) + (ulong)_random.Next(3));
                return data;
            case 5:
                var at = Offset(data, knowledge);
                data[at] ^= (byte)(1 << _random.Next(8));
                return data;
            case 6:
                data[Offset(data, knowledge)] = (byte)Interesting[_random.Next(15)];
                return data;
            case 7:
                CopyRange(data, knowledge);
                return data;
            case 8:
                var start = Offset(data, knowledge);
                var length = Math.Min(data.Length - start, 1 << _random.Next(13));
                data.AsSpan(start, length).Fill(_random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
                return data;
            default:
                return _random.Next(4) == 0 ? Truncate(data) : FlipAnywhere(data);
        }
    }

    private int Offset(byte[] data, FormatKnowledge knowledge)
    {
        var hot = knowledge.Hot.Where(h => h.Offset < data.Length).ToList();
        if (hot.Count > 0 && _random.Next(4) != 0)
        {
            var range = hot[_random.Next(hot.Count)];
            return range.Offset + _random.Next(Math.Max(1, Math.Min(range.Length, data.Length - range.Offset)));
        }

        return _random.Next(data.Length);
    }

    private byte[] FlipAnywhere(byte[] data)
    {
        data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8));
        return data;
    }

    /// <summary>Copies a block-aligned range over another: duplicated tables, a bitmap over an inode table...</summary>
    private void CopyRange(byte[] data, FormatKnowledge knowledge)
    {
        var unit = new[] { 1, 8, 512, 1024, 4096 }[_random.Next(5)];
        var length = Math.Min(data.Length / 2, unit * (1 + _random.Next(4)));
        if (length <= 0)
        {
            return;
        }

        var from = Offset(data, knowledge) / unit * unit;
        var to = Offset(data, knowledge) / unit * unit;
        from = Math.Min(from, data.Length - length);
        to = Math.Min(to, data.Length - length);
        Buffer.BlockCopy(data, from, data, to, length);
    }

    private byte[] Truncate(byte[] data)
    {
        var unit = new[] { 1, 512, 4096 }[_random.Next(3)];
        var length = _random.Next(data.Length) / unit * unit;
        return data[..length];
    }

    private static ulong ReadField(byte[] data, Field f)
    {
        var span = data.AsSpan(f.Offset, f.Width);
        return (f.Width, f.BigEndian) switch
        {
            (1, _) => span[0],
            (2, true) => BinaryPrimitives.ReadUInt16BigEndian(span),
            (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(span),
            (4, true) => BinaryPrimitives.ReadUInt32BigEndian(span),
            (4, false) => BinaryPrimitives.ReadUInt32LittleEndian(span),
            (_, true) => BinaryPrimitives.ReadUInt64BigEndian(span),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(span),
        };
    }

    private static void SetField(byte[] data, Field f, ulong value)
    {
        var span = data.AsSpan(f.Offset, f.Width);
        switch (f.Width, f.BigEndian)
        {
            case (1, _):
                span[0] = (byte)value;
                break;
            case (2, true):
                BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value);
                break;
            case (2, false):
                BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value);
                break;
            case (4, true):
                BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value);
                break;
            case (4, false):
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value);
                break;
            case (_, true):
                BinaryPrimitives.WriteUInt64BigEndian(span, value);
                break;
            default:
                BinaryPrimitives.WriteUInt64LittleEndian(span, value);
                break;
        }
    }
}
