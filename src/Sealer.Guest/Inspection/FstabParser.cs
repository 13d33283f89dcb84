using System.Text;

namespace Sealer.Guest.Inspection;

/// <summary>
/// Parses fstab(5): whitespace-separated fields (spaces or tabs), '#' comment lines, octal escapes such as
/// \040 for a space. Missing type/options default to "auto"/"defaults" as libmount does; lines with fewer
/// than two fields are reported as warnings.
/// </summary>
internal static class FstabParser
{
    private const int MaxLines = 10_000;

    public static List<FstabEntry> Parse(string text, List<string> warnings)
    {
        var entries = new List<FstabEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length && i < MaxLines; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                warnings.Add($"fstab line {i + 1}: ignored, no mount point: {line}");
                continue;
            }

            entries.Add(new FstabEntry(
                i + 1,
                StripQuotes(Unescape(fields[0])),
                Unescape(fields[1]),
                fields.Length > 2 ? Unescape(fields[2]) : "auto",
                fields.Length > 3 ? Unescape(fields[3]) : "defaults"));
        }

        return entries;
    }

    /// <summary>Decodes \NNN octal escapes (getmntent(3)); anything else is kept literally.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && IsOctal(raw, i + 1))
            {
                var value = ((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0');
                if (value is > 0 and < 256)
                {
                    bytes.Add((byte)value);
                    i += 3;
                    continue;
                }
            }

            bytes.Add(raw[i]);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte[] raw, int start) =>
        start + 2 < raw.Length && raw[start] is >= (byte)'0' and <= (byte)'3'
        && raw[start + 1] is >= (byte)'0' and <= (byte)'7' && raw[start + 2] is >= (byte)'0' and <= (byte)'7';

    /// <summary>UUID="..." as libmount accepts it.</summary>
    private static string StripQuotes(string spec)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && spec.Length >= equals + 3 && spec[equals + 1] is '"' or '\'' && spec[^1] == spec[equals + 1])
        {
            return spec[..(equals + 1)] + spec[(equals + 2)..^1];
        }

        return spec;
    }
}
