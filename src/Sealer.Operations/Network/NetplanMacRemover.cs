using System.Text.RegularExpressions;

namespace Sealer.Operations.Network;

/// <summary>
/// Drops MAC bindings from a netplan YAML document, line by line (no YAML library; netplan files are small and
/// block-indented), but only where the stanza still configures an interface a clone has:
/// <list type="bullet">
/// <item>a device's own <c>macaddress:</c> (it sets the MAC: every clone would share it) is removed;</item>
/// <item>in a <c>match:</c> with other keys (driver, name), only <c>macaddress</c> goes;</item>
/// <item>a match on the MAC alone goes when the stanza's ID is a kernel interface name (then netplan matches by
/// the ID) and there is no <c>set-name</c>; in cloud-init's generated file, a <c>set-name</c> equal to that ID goes
/// with it (netplan rejects set-name without match);</item>
/// <item>anything else (an operator's stanza renamed with set-name, or named freely) would match nothing on a clone:
/// it is kept unchanged and reported with its line.</item>
/// </list>
/// </summary>
internal static partial class NetplanMacRemover
{
    public sealed record Result(string Text, IReadOnlyList<string> Kept);

    public static Result Rewrite(string yaml, bool generated)
    {
        var lines = GuestFiles.SplitLines(yaml);
        var drop = new HashSet<int>();
        var replace = new Dictionary<int, string>();
        var kept = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("macaddress:", StringComparison.Ordinal) && Parent(lines, i) is { } parent &&
                !lines[parent].TrimStart().StartsWith("match:", StringComparison.Ordinal))
            {
                drop.Add(i); // the device's own MAC address: set, not matched
                continue;
            }

            if (!trimmed.StartsWith("match:", StringComparison.Ordinal) || Parent(lines, i) is not { } header)
            {
                continue;
            }

            var indent = Indent(lines[i]);
            var inline = trimmed["match:".Length..].Trim();
            List<(int Line, string Key)> keys = inline.StartsWith('{')
                ? [.. FlowEntries(inline).Select(e => (i, e.Key))]
                : [.. Children(lines, i).Select(j => (j, lines[j].Trim().Split(':', 2)[0]))];
            if (!keys.Any(k => k.Key == "macaddress"))
            {
                continue;
            }

            var id = lines[header].Trim().TrimEnd(':').Trim('"', '\'');
            var setName = Siblings(lines, header, indent).Select(j => (Line: j, Value: Value(lines[j], "set-name:"))).FirstOrDefault(s => s.Value is not null);
            var others = keys.Count(k => k.Key != "macaddress");
            if (others > 0)
            {
                if (inline.StartsWith('{'))
                {
                    var rest = FlowEntries(inline).Where(e => e.Key != "macaddress").Select(e => e.Text);
                    replace[i] = lines[i][..indent] + "match: {" + string.Join(", ", rest) + "}";
                }
                else
                {
                    keys.Where(k => k.Key == "macaddress").ToList().ForEach(k => drop.Add(k.Line));
                }
            }
            else if (setName.Value is null && KernelName().IsMatch(id))
            {
                DropMatch(lines, i, inline, drop);
            }
            else if (generated && setName.Value == id && KernelName().IsMatch(id))
            {
                DropMatch(lines, i, inline, drop);
                drop.Add(setName.Line);
            }
            else
            {
                kept.Add($"line {i + 1}: '{id}' matches only the template's MAC address" +
                    (setName.Value is null ? string.Empty : $" and is renamed to {setName.Value}") +
                    "; without the match it would configure no interface of a clone, so it is kept: match the clone's interface by name or driver");
            }
        }

        var rewritten = lines.Select((line, n) => drop.Contains(n) ? null : replace.GetValueOrDefault(n, line)).OfType<string>();
        return new Result(GuestFiles.JoinLines(rewritten, yaml.EndsWith('\n')), kept);
    }

    private static void DropMatch(List<string> lines, int match, string inline, HashSet<int> drop)
    {
        drop.Add(match);
        if (!inline.StartsWith('{'))
        {
            Children(lines, match).ToList().ForEach(j => drop.Add(j));
        }
    }

    /// <summary>The nearest earlier meaningful line indented less than <paramref name="index"/>: its YAML parent.</summary>
    private static int? Parent(List<string> lines, int index)
    {
        var indent = Indent(lines[index]);
        for (var j = index - 1; j >= 0; j--)
        {
            if (Meaningful(lines[j]) && Indent(lines[j]) < indent)
            {
                return j;
            }
        }

        return null;
    }

    /// <summary>Meaningful lines below <paramref name="index"/> indented more than it (block-style children).</summary>
    private static IEnumerable<int> Children(List<string> lines, int index)
    {
        var indent = Indent(lines[index]);
        for (var j = index + 1; j < lines.Count; j++)
        {
            if (!Meaningful(lines[j]))
            {
                continue;
            }

            if (Indent(lines[j]) <= indent)
            {
                yield break;
            }

            yield return j;
        }
    }

    /// <summary>Lines of the stanza under <paramref name="header"/> at exactly <paramref name="indent"/>.</summary>
    private static IEnumerable<int> Siblings(List<string> lines, int header, int indent) =>
        Children(lines, header).Where(j => Indent(lines[j]) == indent);

    private static string? Value(string line, string key)
    {
        var trimmed = line.Trim();
        return trimmed.StartsWith(key, StringComparison.Ordinal) ? trimmed[key.Length..].Split('#')[0].Trim().Trim('"', '\'') : null;
    }

    /// <summary>Entries of a one-line flow mapping "{a: 1, b: "x"}" (netplan values hold no commas or braces).</summary>
    private static IEnumerable<(string Key, string Text)> FlowEntries(string flow) =>
        flow.Trim().TrimStart('{').Split('}')[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => (e.Split(':', 2)[0].Trim().Trim('"', '\''), e));

    private static bool Meaningful(string line) => line.Trim().Length > 0 && !line.TrimStart().StartsWith('#');

    private static int Indent(string line) => line.Length - line.TrimStart(' ', '\t').Length;

    // Kernel names a clone can have: classic ethN and the predictable en*/wl*/ww*/ib* names; no globs.
    [GeneratedRegex("^(eth[0-9]+|en[a-z0-9]+|wl[a-z0-9]+|ww[a-z0-9]+|ib[a-z0-9]+)$")]
    private static partial Regex KernelName();
}
