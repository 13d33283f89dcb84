namespace Sealer.Operations.BuiltIn;

/// <summary>Rewrites one /etc/hosts line for a hostname change.</summary>
internal static class EtcHostsLine
{
    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>The new line, or null to drop it. The 127.0.1.1 line names the new host; the template's name (and names
    /// whose first label is its first label) is removed from every other line, which is dropped when no name is left.
    /// Comments and other hosts are kept.</summary>
    public static string? Rewrite(string line, string? oldName, string newName)
    {
        var content = line.Split('#', 2)[0];
        var words = content.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return line;
        }

        var address = words[0];
        if (address == "127.0.1.1")
        {
            // Debian's convention: 127.0.1.1 names this host (FQDN first, then the short name).
            var shortName = newName.Split('.')[0];
            return newName == HostnameOperation.Default ? null
                : shortName == newName ? $"127.0.1.1\t{newName}" : $"127.0.1.1\t{newName} {shortName}";
        }

        var template = TemplateName.From(oldName);
        if (template is null)
        {
            return line;
        }

        // Loopback lines and lines for the template's own address alike: the clone is not called that.
        var names = words.Skip(1).Where(n => !template.Names(n)).ToList();
        if (names.Count == words.Length - 1)
        {
            return line;
        }

        return names.Count == 0 ? null : address + "\t" + string.Join(' ', names);
    }
}
