namespace Sealer.Ext4;

/// <summary>A set of blocks kept as sorted, disjoint, merged [Start, End) runs.</summary>
internal sealed class BlockRanges
{
    private readonly List<long> _starts = [];
    private readonly List<long> _ends = [];

    public int Count => _starts.Count;

    /// <summary>Builds the set from runs sorted by start (they may overlap or touch).</summary>
    public static BlockRanges FromSorted(IEnumerable<(long Start, long End)> sorted)
    {
        var set = new BlockRanges();
        foreach (var (start, end) in sorted)
        {
            if (set._starts.Count > 0 && start <= set._ends[^1])
            {
                set._ends[^1] = Math.Max(set._ends[^1], end);
            }
            else
            {
                set._starts.Add(start);
                set._ends.Add(end);
            }
        }

        return set;
    }

    public void Add(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        var i = IndexAtOrBefore(start);
        if (i >= 0 && _ends[i] >= start)
        {
            start = _starts[i];
            end = Math.Max(end, _ends[i]);
        }
        else
        {
            i++;
        }

        // Swallow every run that starts inside the new one.
        var j = i;
        while (j < _starts.Count && _starts[j] <= end)
        {
            end = Math.Max(end, _ends[j]);
            j++;
        }

        _starts.RemoveRange(i, j - i);
        _ends.RemoveRange(i, j - i);
        _starts.Insert(i, start);
        _ends.Insert(i, end);
    }

    /// <summary>The first block of [start, end) in the set, or -1.</summary>
    public long FirstIn(long start, long end)
    {
        var i = IndexAtOrBefore(start);
        if (i >= 0 && _ends[i] > start)
        {
            return start;
        }

        i++;
        return i < _starts.Count && _starts[i] < end ? _starts[i] : -1;
    }

    /// <summary>The first block of [start, end) in this set but not in <paramref name="except"/>, or -1.</summary>
    public long FirstInExcept(long start, long end, BlockRanges except)
    {
        var i = Math.Max(0, IndexAtOrBefore(start));
        for (; i < _starts.Count && _starts[i] < end; i++)
        {
            var s = Math.Max(start, _starts[i]);
            var e = Math.Min(end, _ends[i]);
            for (var b = s; b < e;)
            {
                var covered = except.CoveredFrom(b, e);
                if (covered == b)
                {
                    return b;
                }

                b = covered;
            }
        }

        return -1;
    }

    /// <summary>Where the run of blocks from <paramref name="block"/> that lies in the set ends (at most <paramref name="end"/>).</summary>
    private long CoveredFrom(long block, long end)
    {
        var i = IndexAtOrBefore(block);
        return i >= 0 && _ends[i] > block ? Math.Min(end, _ends[i]) : block;
    }

    private int IndexAtOrBefore(long block)
    {
        int lo = 0, hi = _starts.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_starts[mid] <= block)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
