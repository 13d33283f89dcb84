using System.Globalization;
using System.Text;
using Sealer.Core.Errors;

namespace Sealer.Lvm.Text;

/// <summary>
/// Parses the LVM2 text format (<c>name { ... }</c> sections, <c>key = value</c> with strings, numbers and flat
/// arrays, <c>#</c> comments). The input is untrusted: nesting depth, element count and text size are bounded, so
/// time and memory stay linear in the input; every error is one line naming <paramref name="source"/> and the line.
/// </summary>
public sealed class MetadataParser
{
    /// <summary>Deepest nesting accepted. Real metadata nests 5 levels (VG, logical_volumes, LV, segment).</summary>
    public const int MaxDepth = 16;

    /// <summary>Most values, sections and array elements accepted in one text.</summary>
    public const int MaxElements = 1_000_000;

    /// <summary>Largest text accepted (real metadata of thousands of LVs is a few MiB).</summary>
    public const int MaxTextBytes = 32 * 1024 * 1024;

    private readonly string _text;
    private readonly string _source;
    private int _pos;
    private int _line = 1;
    private int _elements;

    private MetadataParser(string text, string source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>Parses UTF-8 text up to its first NUL (LVM stores the text NUL-terminated).</summary>
    public static ConfigSection Parse(ReadOnlySpan<byte> utf8, string source)
    {
        var nul = utf8.IndexOf((byte)0);
        if (nul >= 0)
        {
            utf8 = utf8[..nul];
        }

        if (utf8.Length > MaxTextBytes)
        {
            throw new InvalidImageException($"{source}: metadata text of {utf8.Length} bytes exceeds the limit of {MaxTextBytes}");
        }

        return new MetadataParser(Encoding.UTF8.GetString(utf8), source).ParseRoot();
    }

    public static ConfigSection Parse(string text, string source)
    {
        if (text.Length > MaxTextBytes)
        {
            throw new InvalidImageException($"{source}: metadata text of {text.Length} characters exceeds the limit of {MaxTextBytes}");
        }

        return new MetadataParser(text, source).ParseRoot();
    }

    private ConfigSection ParseRoot()
    {
        var root = new ConfigSection(string.Empty, 1);
        ParseEntries(root, depth: 0);
        SkipBlank();
        if (_pos < _text.Length)
        {
            throw Error($"unexpected '{Printable(_text[_pos])}'");
        }

        return root;
    }

    private void ParseEntries(ConfigSection into, int depth)
    {
        while (true)
        {
            SkipBlank();
            if (_pos >= _text.Length || _text[_pos] == '}')
            {
                return;
            }

            var line = _line;
            var name = ReadIdentifier();
            if (into.Contains(name))
            {
                throw Error($"duplicate key \"{name}\" in section \"{into.Name}\"");
            }

            SkipBlank();
            if (_pos >= _text.Length)
            {
                throw Error($"unexpected end of text after \"{name}\"");
            }

            Count();
            if (_text[_pos] == '{')
            {
                if (depth + 1 > MaxDepth)
                {
                    throw Error($"sections nested deeper than {MaxDepth}");
                }

                _pos++;
                var section = new ConfigSection(name, line);
                ParseEntries(section, depth + 1);
                if (_pos >= _text.Length)
                {
                    throw Error($"section \"{name}\" (line {line}) is not closed");
                }

                _pos++; // '}'
                into.Add(section);
            }
            else if (_text[_pos] == '=')
            {
                _pos++;
                SkipBlank();
                into.Add(name, ParseValue());
            }
            else
            {
                throw Error($"expected '=' or '{{' after \"{name}\", found '{Printable(_text[_pos])}'");
            }
        }
    }

    private ConfigValue ParseValue()
    {
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end of text where a value was expected");
        }

        if (_text[_pos] != '[')
        {
            return ParseScalar();
        }

        var line = _line;
        _pos++;
        var items = new List<ConfigValue>();
        while (true)
        {
            SkipBlank();
            if (_pos >= _text.Length)
            {
                throw Error($"array (line {line}) is not closed");
            }

            if (_text[_pos] == ']')
            {
                _pos++;
                return new ConfigArray(items, line);
            }

            if (items.Count > 0)
            {
                if (_text[_pos] != ',')
                {
                    throw Error($"expected ',' or ']' in array, found '{Printable(_text[_pos])}'");
                }

                _pos++;
                SkipBlank();
                if (_pos >= _text.Length || _text[_pos] == ']')
                {
                    continue; // a trailing comma, or the end (reported at the top)
                }
            }

            Count();
            items.Add(ParseScalar());
        }
    }

    private ConfigValue ParseScalar()
    {
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end of text where a value was expected");
        }

        var line = _line;
        var c = _text[_pos];
        if (c == '"')
        {
            return new ConfigString(ReadString(), line);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = _pos;
            _pos++;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
            {
                _pos++;
            }

            var token = _text.AsSpan(start, _pos - start);
            if (token.Contains('.'))
            {
                if (!double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
                {
                    throw Error($"bad number \"{token}\"");
                }

                return new ConfigFloat(d, line);
            }

            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                throw Error($"bad or out-of-range integer \"{Shorten(token.ToString())}\"");
            }

            return new ConfigInteger(n, line);
        }

        throw Error($"expected a value, found '{Printable(c)}'");
    }

    private string ReadString()
    {
        var line = _line;
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error($"string (line {line}) is not closed");
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c == '\\')
            {
                if (_pos >= _text.Length)
                {
                    throw Error($"string (line {line}) is not closed");
                }

                c = _text[_pos++];
            }

            if (c == '\n')
            {
                _line++;
            }

            sb.Append(c);
        }
    }

    private string ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && IsIdentifierChar(_text[_pos]))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error($"expected a key or section name, found '{Printable(_text[_pos])}'");
        }

        return _text[start.._pos];
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '+' or '-';

    private void SkipBlank()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _line++;
                _pos++;
            }
            else if (c is ' ' or '\t' or '\r' or '\f' or '\v')
            {
                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private void Count()
    {
        if (++_elements > MaxElements)
        {
            throw Error($"more than {MaxElements} values and sections");
        }
    }

    private InvalidImageException Error(string message) => new($"{_source}, line {_line}: {message}");

    private static string Printable(char c) => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString();

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
