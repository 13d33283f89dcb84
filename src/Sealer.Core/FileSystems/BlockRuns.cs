namespace Sealer.Core.FileSystems;

/// <summary>A run of a file's logical blocks mapped to consecutive physical blocks (an ext4 or XFS extent).</summary>
public interface IBlockRun
{
    long Logical { get; }

    long Physical { get; }

    /// <summary>The first logical block after the run.</summary>
    long End { get; }

    /// <summary>Allocated but never written: reads as zeros.</summary>
    bool Unwritten { get; }
}

/// <summary>Lookups in a file's sorted, non-overlapping block runs, shared by the file-system drivers.</summary>
public static class BlockRuns
{
    /// <summary>Index of the run holding <paramref name="logical"/>, or the bitwise complement of the next run's index.</summary>
    public static int Find<TRun>(IReadOnlyList<TRun> runs, long logical)
        where TRun : IBlockRun
    {
        ArgumentNullException.ThrowIfNull(runs);
        int lo = 0, hi = runs.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var run = runs[mid];
            if (logical < run.Logical)
            {
                hi = mid - 1;
            }
            else if (logical >= run.End)
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return ~lo;
    }

    /// <summary>
    /// The physical block holding <paramref name="logical"/> (-1 for a hole or an unwritten run) and the first logical
    /// block after the run (or hole) that holds it; <paramref name="noRunAfter"/> ends a hole past the last run.
    /// </summary>
    public static (long PhysicalBlock, long RunEnd) Locate<TRun>(IReadOnlyList<TRun> runs, long logical, long noRunAfter)
        where TRun : IBlockRun
    {
        var index = Find(runs, logical);
        if (index >= 0)
        {
            var run = runs[index];
            return (run.Unwritten ? -1 : run.Physical + (logical - run.Logical), run.End);
        }

        var next = ~index;
        return (-1, next < runs.Count ? runs[next].Logical : noRunAfter);
    }
}
