using System.Text.RegularExpressions;

namespace Sealer.Operations;

/// <summary>The known operations, validated once at construction like virt-sysprep's bake(): unique kebab-case names,
/// one-line headings without a trailing period, non-empty descriptions.</summary>
public sealed partial class OperationRegistry
{
    private readonly Dictionary<string, ISealOperation> _byName = new(StringComparer.Ordinal);

    public OperationRegistry(IEnumerable<ISealOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var op in operations)
        {
            Validate(op);
            if (!_byName.TryAdd(op.Name, op))
            {
                throw new InvalidOperationException($"operation registry: duplicate operation name '{op.Name}'");
            }
        }

        Operations = [.. _byName.Values.OrderBy(o => o.Name, StringComparer.Ordinal)];
    }

    /// <summary>The registry of <see cref="BuiltInOperations.All"/>.</summary>
    public static OperationRegistry CreateDefault() => new(BuiltInOperations.All);

    /// <summary>All operations sorted by name.</summary>
    public IReadOnlyList<ISealOperation> Operations { get; }

    public IEnumerable<ISealOperation> Defaults => Operations.Where(o => o.EnabledByDefault);

    public ISealOperation? Find(string name) => _byName.GetValueOrDefault(name);

    private static void Validate(ISealOperation op)
    {
        if (!KebabCase().IsMatch(op.Name))
        {
            throw new InvalidOperationException($"operation registry: name '{op.Name}' is not kebab-case ([a-z0-9]+(-[a-z0-9]+)*)");
        }

        if (string.IsNullOrWhiteSpace(op.Heading) || op.Heading.Contains('\n') || op.Heading.Contains('\r') || op.Heading.EndsWith('.'))
        {
            throw new InvalidOperationException($"operation registry: '{op.Name}' heading must be one non-empty line without a trailing period");
        }

        if (string.IsNullOrWhiteSpace(op.Description))
        {
            throw new InvalidOperationException($"operation registry: '{op.Name}' has an empty description");
        }

        // A default must run: one Sealer never performs is never advertised as part of a default seal.
        if (op.Unsupported is not null && op.EnabledByDefault)
        {
            throw new InvalidOperationException($"operation registry: '{op.Name}' is not supported and cannot be a default");
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
