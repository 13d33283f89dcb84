using Sealer.Core.IO;

namespace Sealer.Images.Qcow2;

/// <summary>The allocation map: clusters with data in this image, plus backing data showing through unallocated ones.</summary>
public sealed partial class Qcow2Image
{
    public IEnumerable<ByteRange> GetAllocatedRanges()
    {
        var data = new List<ByteRange>();
        var fallThrough = new List<ByteRange>();
        var l2Coverage = 1L << (_l2Bits + _clusterBits);
        var tables = (Length + l2Coverage - 1) / l2Coverage;
        for (long l1Index = 0; l1Index < tables; l1Index++)
        {
            var tableStart = l1Index * l2Coverage;
            var l2Offset = (long)(_l1[l1Index] & Qcow2Entry.OffsetMask);
            if (l2Offset == 0)
            {
                Append(fallThrough, tableStart, Math.Min(l2Coverage, Length - tableStart));
                continue;
            }

            var table = _l2Cache.Get(l2Offset, l1Index);
            var entries = Math.Min(1L << _l2Bits, ((Length - tableStart) + _clusterSize - 1) >> _clusterBits);
            for (var i = 0; i < entries; i++)
            {
                var guestCluster = (l1Index << _l2Bits) + i;
                var start = guestCluster << _clusterBits;
                var length = Math.Min(_clusterSize, Length - start);
                var entry = table[i * _wordsPerEntry];
                var bitmap = _extendedL2 ? table[(i * 2) + 1] : 0;
                switch (Classify(entry, bitmap, guestCluster))
                {
                    case Qcow2Entry.Kind.Normal:
                    case Qcow2Entry.Kind.Compressed:
                        Append(data, start, length);
                        break;
                    case Qcow2Entry.Kind.Unallocated:
                        Append(fallThrough, start, length);
                        break;
                    case Qcow2Entry.Kind.Subclusters:
                        AddSubclusters(entry, bitmap, start, length, data, fallThrough);
                        break;
                }
            }
        }

        if (_backing is not null && fallThrough.Count > 0)
        {
            var backingRanges = _backing is IAllocationMap map
                ? map.GetAllocatedRanges()
                : [new ByteRange(0, _backing.Length)];
            data.AddRange(Intersect(fallThrough, backingRanges, Math.Min(_backing.Length, Length)));
            data.Sort((a, b) => a.Offset.CompareTo(b.Offset));
            var merged = new List<ByteRange>(data.Count);
            foreach (var r in data)
            {
                Append(merged, r.Offset, r.Length);
            }

            return merged;
        }

        return data;
    }

    private void AddSubclusters(ulong entry, ulong bitmap, long start, long length, List<ByteRange> data, List<ByteRange> fallThrough)
    {
        var subclusterSize = _clusterSize / 32;
        var host = entry & Qcow2Entry.OffsetMask;
        for (var i = 0; i < 32 && i * subclusterSize < length; i++)
        {
            var subStart = start + (i * subclusterSize);
            var subLength = Math.Min(subclusterSize, length - (i * subclusterSize));
            if (host != 0 && (bitmap & (1UL << i)) != 0)
            {
                Append(data, subStart, subLength);
            }
            else if ((bitmap & (1UL << (i + 32))) == 0)
            {
                Append(fallThrough, subStart, subLength);
            }
        }
    }

    /// <summary>Appends a range, merging it with the last one when they touch (inputs arrive in ascending order).</summary>
    private static void Append(List<ByteRange> list, long offset, long length)
    {
        if (length <= 0)
        {
            return;
        }

        if (list.Count > 0 && list[^1].End >= offset)
        {
            var last = list[^1];
            list[^1] = new ByteRange(last.Offset, Math.Max(last.End, offset + length) - last.Offset);
            return;
        }

        list.Add(new ByteRange(offset, length));
    }

    /// <summary>Intersects two ascending range lists, clipped to [0, limit).</summary>
    private static List<ByteRange> Intersect(List<ByteRange> a, IEnumerable<ByteRange> b, long limit)
    {
        var result = new List<ByteRange>();
        var i = 0;
        foreach (var r in b)
        {
            while (i < a.Count && a[i].End <= r.Offset)
            {
                i++;
            }

            for (var j = i; j < a.Count && a[j].Offset < r.End; j++)
            {
                var start = Math.Max(a[j].Offset, r.Offset);
                var end = Math.Min(Math.Min(a[j].End, r.End), limit);
                if (start < end)
                {
                    result.Add(new ByteRange(start, end - start));
                }
            }
        }

        return result;
    }
}
