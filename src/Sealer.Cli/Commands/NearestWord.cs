namespace Sealer.Cli.Commands;

/// <summary>"Did you mean ...?" for a mistyped verb or option: the closest known word by edit distance.</summary>
internal static class NearestWord
{
    /// <summary>The known word closest to <paramref name="typed"/>, or null when none is close enough to be a typo
    /// (at most 2 edits, and at most half the typed word).</summary>
    public static string? Find(string typed, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var word in known)
        {
            var distance = Distance(typed.ToLowerInvariant(), word);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (word, distance);
            }
        }

        return bestDistance <= 2 && bestDistance * 2 <= Math.Max(typed.Length, 2) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours
    /// ("sael" is one edit from "seal") each count 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
