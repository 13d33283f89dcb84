namespace Sealer.Lvm.Text;

/// <summary>A value in LVM2 text metadata: a string, a number or a flat array of them.</summary>
public abstract class ConfigValue
{
    private protected ConfigValue(int line) => Line = line;

    /// <summary>The line the value starts on (1-based), for error messages.</summary>
    public int Line { get; }
}

public sealed class ConfigString(string value, int line) : ConfigValue(line)
{
    public string Value { get; } = value;

    public override string ToString() => $"\"{Value}\"";
}

/// <summary>An integer. LVM writes every size and count as a decimal integer.</summary>
public sealed class ConfigInteger(long value, int line) : ConfigValue(line)
{
    public long Value { get; } = value;

    public override string ToString() => Value.ToString();
}

/// <summary>A number with a fraction (LVM's config grammar allows them; metadata does not use them for sizes).</summary>
public sealed class ConfigFloat(double value, int line) : ConfigValue(line)
{
    public double Value { get; } = value;
}

public sealed class ConfigArray(IReadOnlyList<ConfigValue> items, int line) : ConfigValue(line)
{
    public IReadOnlyList<ConfigValue> Items { get; } = items;
}
