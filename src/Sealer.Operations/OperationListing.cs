using System.Text;
using System.Text.Json;

namespace Sealer.Operations;

/// <summary>One operation as --list-operations --json shows it.</summary>
public sealed record OperationDescription(string Name, bool EnabledByDefault, int Order, string Heading, string Description);

/// <summary>--list-operations output.</summary>
public static class OperationListing
{
    /// <summary>virt-sysprep's format, sorted by name: <c>name * heading</c> when enabled by default, <c>name   heading</c>
    /// (a blank second field) otherwise; one line each.</summary>
    public static string ToText(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var text = new StringBuilder();
        foreach (var op in registry.Operations)
        {
            text.Append(op.Name).Append(' ').Append(op.EnabledByDefault ? '*' : ' ').Append(' ').Append(op.Heading).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A JSON array of {name, enabledByDefault, order, heading, description}, sorted by name.</summary>
    public static string ToJson(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var list = registry.Operations
            .Select(o => new OperationDescription(o.Name, o.EnabledByDefault, o.Order, o.Heading, o.Description))
            .ToList();
        return JsonSerializer.Serialize(list, SealJsonContext.Default.ListOperationDescription);
    }
}
