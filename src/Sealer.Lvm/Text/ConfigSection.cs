namespace Sealer.Lvm.Text;

/// <summary>A <c>name { ... }</c> section: key/value pairs and subsections, in file order, names unique within it.</summary>
public sealed class ConfigSection
{
    private readonly Dictionary<string, ConfigValue> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConfigSection> _sectionsByName = new(StringComparer.Ordinal);
    private readonly List<ConfigSection> _sections = [];

    internal ConfigSection(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    public int Line { get; }

    public IReadOnlyDictionary<string, ConfigValue> Values => _values;

    /// <summary>Subsections in file order.</summary>
    public IReadOnlyList<ConfigSection> Sections => _sections;

    public ConfigSection? Section(string name) => _sectionsByName.GetValueOrDefault(name);

    public ConfigValue? Value(string name) => _values.GetValueOrDefault(name);

    internal bool Contains(string name) => _values.ContainsKey(name) || _sectionsByName.ContainsKey(name);

    internal void Add(string name, ConfigValue value) => _values.Add(name, value);

    internal void Add(ConfigSection section)
    {
        _sectionsByName.Add(section.Name, section);
        _sections.Add(section);
    }
}
