using System.Text;
using System.Text.Json;

namespace Sealer.Operations;

/// <summary>One operation as --list-operations --json shows it.</summary>
public sealed record OperationDescription(string Name, bool EnabledByDefault, int Order, string Heading, string Description, string? Unsupported = null);

/// <summary>--list-operations output.</summary>
public static class OperationListing
{
    /// <summary>virt-sysprep's format, sorted by name: <c>name * heading</c> when enabled by default, <c>name   heading</c>
    /// (a blank second field) otherwise; one line each. An operation Sealer does not perform is never a default and
    /// its heading says so.</summary>
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

    /// <summary>docs/operations.md: every operation with its default, heading and full description (the reasons).
    /// Generated from the registry; a test fails when the checked-in copy differs.</summary>
    public static string ToMarkdown(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var text = new StringBuilder()
            .Append("# Operations\n\n")
            .Append("<!-- Generated from the operation registry (OperationListing.ToMarkdown); do not edit by hand. -->\n\n")
            .Append("`sealer seal` runs the operations marked default unless `--operations` or `--enable` selects others. ")
            .Append("An operation that does not apply to a guest (another distribution family, or not supported) is reported ")
            .Append("as not applicable, with the reason.\n\n")
            .Append(ToMarkdownTable(registry))
            .Append('\n');
        foreach (var op in registry.Operations)
        {
            text.Append("## ").Append(op.Name).Append("\n\n")
                .Append(op.Unsupported is not null ? "Not supported: " + op.Unsupported : op.EnabledByDefault ? "Default." : "Off by default.")
                .Append(' ').Append(op.Heading).Append(".\n\n```text\n").Append(op.Description.TrimEnd()).Append("\n```\n\n");
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>The README's operation table: name, default (yes / no / not supported), heading.</summary>
    public static string ToMarkdownTable(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var text = new StringBuilder("| Operation | Default | What it does |\n|---|---|---|\n");
        foreach (var op in registry.Operations)
        {
            var mark = op.Unsupported is not null ? "not supported" : op.EnabledByDefault ? "yes" : "no";
            text.Append("| `").Append(op.Name).Append("` | ").Append(mark).Append(" | ").Append(op.Heading.Replace("|", "\\|", StringComparison.Ordinal)).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>A JSON array of {name, enabledByDefault, order, heading, description, unsupported}, sorted by name.</summary>
    public static string ToJson(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var list = registry.Operations
            .Select(o => new OperationDescription(o.Name, o.EnabledByDefault, o.Order, o.Heading, o.Description, o.Unsupported))
            .ToList();
        return JsonSerializer.Serialize(list, SealJsonContext.Default.ListOperationDescription);
    }
}
