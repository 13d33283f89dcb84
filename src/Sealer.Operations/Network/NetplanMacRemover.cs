namespace Sealer.Operations.Network;

/// <summary>
/// Drops MAC bindings from a netplan YAML document, line by line (no YAML library; netplan files are small and
/// block-indented). A <c>macaddress:</c> key is removed wherever it appears; a <c>match:</c> left empty is removed with
/// its sibling <c>set-name:</c> (netplan rejects set-name without match), so the interface is matched by its ID, which is
/// the kernel name in cloud-init's and the installers' files.
/// </summary>
internal static class NetplanMacRemover
{
    public static string Rewrite(string yaml)
    {
        var lines = GuestFiles.SplitLines(yaml);
        var kept = new List<string>();
        foreach (var line in lines)
        {
            var trimmed = line.TrimStart();
            var inlineMatch = trimmed.StartsWith("match:", StringComparison.Ordinal) && trimmed.Contains('{') && trimmed.Contains("macaddress", StringComparison.Ordinal);
            if (trimmed.StartsWith("macaddress:", StringComparison.Ordinal) || inlineMatch)
            {
                // An inline "match: {macaddress: ...}" becomes an empty block-style "match:" handled below.
                if (inlineMatch)
                {
                    kept.Add(line[..(line.Length - trimmed.Length)] + "match:");
                }

                continue;
            }

            kept.Add(line);
        }

        RemoveEmptyMatches(kept);
        return GuestFiles.JoinLines(kept, yaml.EndsWith('\n'));
    }

    private static void RemoveEmptyMatches(List<string> lines)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].Trim() != "match:" || HasChildren(lines, i))
            {
                continue;
            }

            var indent = Indent(lines[i]);
            lines.RemoveAt(i);
            RemoveSiblings(lines, i, indent, "set-name:");
        }
    }

    private static bool HasChildren(List<string> lines, int index)
    {
        var next = lines.Skip(index + 1).FirstOrDefault(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        return next is not null && Indent(next) > Indent(lines[index]);
    }

    /// <summary>Removes lines at exactly <paramref name="indent"/> starting with <paramref name="key"/> in the block
    /// around <paramref name="position"/> (the block ends at the first line indented less).</summary>
    private static void RemoveSiblings(List<string> lines, int position, int indent, string key)
    {
        var start = position;
        while (start > 0 && (Indent(lines[start - 1]) >= indent || lines[start - 1].Trim().Length == 0))
        {
            start--;
        }

        for (var i = start; i < lines.Count; i++)
        {
            var blank = lines[i].Trim().Length == 0;
            if (!blank && Indent(lines[i]) < indent && i >= position)
            {
                break;
            }

            if (!blank && Indent(lines[i]) == indent && lines[i].TrimStart().StartsWith(key, StringComparison.Ordinal))
            {
                lines.RemoveAt(i);
                i--;
            }
        }
    }

    private static int Indent(string line) => line.Length - line.TrimStart(' ', '\t').Length;
}
