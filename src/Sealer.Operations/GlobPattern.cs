namespace Sealer.Operations;

/// <summary>
/// Shell-style matching of one path component: '*', '?', '[abc]', '[a-z]', '[!x]' / '[^x]', '\' escapes.
/// As in glob(3) without GLOB_PERIOD, a leading '.' is only matched by a literal '.'.
/// </summary>
internal static class GlobPattern
{
    public static bool HasWildcards(string component) => component.AsSpan().IndexOfAny("*?[\\") >= 0;

    public static bool IsMatch(string pattern, string name)
    {
        if (name.StartsWith('.') && !pattern.StartsWith('.'))
        {
            return false;
        }

        return Match(pattern, 0, name, 0);
    }

    private static bool Match(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            var c = pattern[p];
            switch (c)
            {
                case '*':
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    for (var i = n; i <= name.Length; i++)
                    {
                        if (Match(pattern, p, name, i))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (n >= name.Length)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
                case '[':
                    var end = ClassEnd(pattern, p);
                    if (end < 0)
                    {
                        goto default; // an unterminated '[' is a literal, as in fnmatch
                    }

                    if (n >= name.Length || !ClassMatches(pattern.AsSpan(p + 1, end - p - 1), name[n]))
                    {
                        return false;
                    }

                    p = end + 1;
                    n++;
                    break;
                case '\\' when p + 1 < pattern.Length:
                    if (n >= name.Length || name[n] != pattern[p + 1])
                    {
                        return false;
                    }

                    p += 2;
                    n++;
                    break;
                default:
                    if (n >= name.Length || name[n] != c)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
            }
        }

        return n == name.Length;
    }

    private static int ClassEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && (pattern[i] == '!' || pattern[i] == '^'))
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++; // a ']' first in the class is a member
        }

        var close = pattern.IndexOf(']', i);
        return close;
    }

    private static bool ClassMatches(ReadOnlySpan<char> body, char ch)
    {
        var negate = body.Length > 0 && (body[0] == '!' || body[0] == '^');
        if (negate)
        {
            body = body[1..];
        }

        var found = false;
        for (var i = 0; i < body.Length; i++)
        {
            if (i + 2 < body.Length && body[i + 1] == '-')
            {
                found |= ch >= body[i] && ch <= body[i + 2];
                i += 2;
            }
            else
            {
                found |= ch == body[i];
            }
        }

        return found != negate;
    }
}
