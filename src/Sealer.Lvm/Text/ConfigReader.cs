using Sealer.Core.Errors;

namespace Sealer.Lvm.Text;

/// <summary>Typed, range-checked access to metadata values; every failure is one line naming the key and its line.</summary>
internal sealed class ConfigReader(string context)
{
    public string Context { get; } = context;

    public long Integer(ConfigSection section, string key, long min, long max)
    {
        var v = section.Value(key) ?? throw Missing(section, key);
        return Check(section, key, v, min, max);
    }

    public long? OptionalInteger(ConfigSection section, string key, long min, long max)
    {
        var v = section.Value(key);
        return v is null ? null : Check(section, key, v, min, max);
    }

    public string String(ConfigSection section, string key) =>
        OptionalString(section, key) ?? throw Missing(section, key);

    public string? OptionalString(ConfigSection section, string key) =>
        section.Value(key) switch
        {
            null => null,
            ConfigString s => s.Value,
            var other => throw Error(other.Line, $"{Where(section)}: \"{key}\" is not a string"),
        };

    public IReadOnlyList<string> Strings(ConfigSection section, string key)
    {
        switch (section.Value(key))
        {
            case null:
                return [];
            case ConfigArray a:
                var list = new List<string>(a.Items.Count);
                foreach (var item in a.Items)
                {
                    list.Add(item is ConfigString s ? s.Value : throw Error(item.Line, $"{Where(section)}: \"{key}\" has a non-string element"));
                }

                return list;
            case var other:
                throw Error(other.Line, $"{Where(section)}: \"{key}\" is not an array");
        }
    }

    public ConfigArray Array(ConfigSection section, string key) =>
        section.Value(key) switch
        {
            null => throw Missing(section, key),
            ConfigArray a => a,
            var other => throw Error(other.Line, $"{Where(section)}: \"{key}\" is not an array"),
        };

    public InvalidImageException Error(int line, string message) => new($"{Context}, line {line}: {message}");

    private long Check(ConfigSection section, string key, ConfigValue v, long min, long max)
    {
        if (v is not ConfigInteger i)
        {
            throw Error(v.Line, $"{Where(section)}: \"{key}\" is not an integer");
        }

        if (i.Value < min || i.Value > max)
        {
            throw Error(v.Line, $"{Where(section)}: \"{key}\" = {i.Value} is outside {min}..{max}");
        }

        return i.Value;
    }

    private InvalidImageException Missing(ConfigSection section, string key) =>
        Error(section.Line, $"{Where(section)}: \"{key}\" is missing");

    private static string Where(ConfigSection section) => section.Name.Length == 0 ? "top level" : $"section \"{section.Name}\"";
}
