using System.Text;

namespace Sealer.Guest.Inspection;

/// <summary>Parses os-release(5): KEY=value lines, '#' comments, values optionally in single or double quotes.</summary>
internal static class OsReleaseParser
{
    public static Dictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                continue;
            }

            values[key] = Unquote(line[(equals + 1)..].Trim());
        }

        return values;
    }

    /// <summary>Shell-like unquoting as os-release(5) allows: "..." with \" \\ \$ \` escapes, '...' literal, else bare.</summary>
    internal static string Unquote(string value)
    {
        var result = new StringBuilder(value.Length);
        var quote = '\0';
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quote == '\0' && (c == '"' || c == '\''))
            {
                quote = c;
            }
            else if (c == quote)
            {
                quote = '\0';
            }
            else if (c == '\\' && quote != '\'' && i + 1 < value.Length)
            {
                result.Append(value[++i]);
            }
            else if (quote == '\0' && c == '#' && (i == 0 || char.IsWhiteSpace(value[i - 1])))
            {
                break;
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString().Trim();
    }
}
