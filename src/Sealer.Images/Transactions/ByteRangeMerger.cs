using Sealer.Core.IO;

namespace Sealer.Images.Transactions;

/// <summary>Union of ascending range lists.</summary>
internal static class ByteRangeMerger
{
    /// <summary>Merges two ascending lists into one ascending list of non-overlapping, non-touching ranges.</summary>
    public static IEnumerable<ByteRange> Union(IEnumerable<ByteRange> first, IEnumerable<ByteRange> second)
    {
        ByteRange? current = null;
        foreach (var range in first.Concat(second).Where(r => r.Length > 0).OrderBy(r => r.Offset))
        {
            if (current is { } c && range.Offset <= c.End)
            {
                current = c with { Length = Math.Max(c.End, range.End) - c.Offset };
                continue;
            }

            if (current is { } done)
            {
                yield return done;
            }

            current = range;
        }

        if (current is { } last)
        {
            yield return last;
        }
    }
}
