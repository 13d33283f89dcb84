namespace Sealer.Operations;

/// <summary>
/// virt-sysprep's operation set syntax. <c>--operations</c> starts from the empty set and applies comma-separated terms
/// left to right: <c>all</c>, <c>defaults</c>, a name (add), <c>-name</c>, <c>-defaults</c>, <c>-all</c> (remove).
/// <c>--enable</c> is the older form: exactly the listed names. Without either, the defaults run.
/// Repeated --operations arguments are joined with ',' by the caller (same result as virt-sysprep).
/// </summary>
public sealed class OperationSelection
{
    private readonly IReadOnlyList<(bool Remove, string Name)> _terms;

    private OperationSelection(IReadOnlyList<(bool Remove, string Name)> terms) => _terms = terms;

    /// <summary>The default set (no --operations, no --enable).</summary>
    public static OperationSelection Defaults { get; } = new([(false, "defaults")]);

    /// <summary>Parses an --operations argument, e.g. "defaults,-logfiles,user-account".</summary>
    public static OperationSelection Parse(string operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var terms = new List<(bool, string)>();
        foreach (var raw in operations.Split(','))
        {
            var term = raw.Trim();
            var remove = term.StartsWith('-');
            var name = remove ? term[1..].Trim() : term;
            if (name.Length == 0)
            {
                throw new OperationSelectionException($"--operations: empty operation name in '{operations}'");
            }

            terms.Add((remove, name));
        }

        return new OperationSelection(terms);
    }

    /// <summary>Parses an --enable argument: names only, no set keywords, no removals.</summary>
    public static OperationSelection ParseEnable(string names)
    {
        var selection = Parse(names);
        foreach (var (remove, name) in selection._terms)
        {
            if (remove || name is "all" or "defaults")
            {
                throw new OperationSelectionException($"--enable takes operation names only; use --operations for '{(remove ? "-" : string.Empty)}{name}'");
            }
        }

        return selection;
    }

    /// <summary>The selected operations in run order ((Order, Name)). Unknown names fail.</summary>
    public IReadOnlyList<ISealOperation> Resolve(OperationRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (remove, name) in _terms)
        {
            IEnumerable<ISealOperation> group = name switch
            {
                "all" => registry.Operations,
                "defaults" => registry.Defaults,
                _ => [registry.Find(name) ?? throw new OperationSelectionException($"unknown operation '{name}' (see --list-operations)")],
            };
            foreach (var op in group)
            {
                if (remove)
                {
                    selected.Remove(op.Name);
                }
                else
                {
                    selected.Add(op.Name);
                }
            }
        }

        return [.. registry.Operations.Where(o => selected.Contains(o.Name)).OrderBy(o => o.Order).ThenBy(o => o.Name, StringComparer.Ordinal)];
    }
}
