using Sealer.Core.FileSystems;

namespace Sealer.Operations.Systemd;

/// <summary>
/// The guest's systemd.preset(5) policy: *.preset files from /etc, /usr/lib and /lib (a name in an earlier directory
/// masks the same name in later ones), read in file-name order; the first line whose glob matches a unit decides.
/// </summary>
internal sealed class PresetPolicy
{
    private static readonly string[] PresetDirectories =
        ["/etc/systemd/system-preset", "/usr/lib/systemd/system-preset", "/lib/systemd/system-preset"];

    private readonly List<(string Verb, string Pattern, string Source)> _rules = [];

    private PresetPolicy()
    {
    }

    public static PresetPolicy Load(GuestFiles files)
    {
        var policy = new PresetPolicy();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in PresetDirectories)
        {
            foreach (var entry in files.ListDirectory(directory).Where(e => e.Name.EndsWith(".preset", StringComparison.Ordinal)))
            {
                byName.TryAdd(entry.Name, PosixPath.Combine(directory, entry.Name));
            }
        }

        foreach (var path in byName.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value))
        {
            foreach (var line in GuestFiles.SplitLines(files.ReadAllText(path) ?? string.Empty))
            {
                var words = line.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 2 && words[0] is "enable" or "disable" or "ignore")
                {
                    policy._rules.Add((words[0], words[1], path));
                }
            }
        }

        return policy;
    }

    /// <summary>The deciding rule for a unit, or null when no line matches (systemd then enables it).</summary>
    public (string Verb, string Source)? Decide(string unit)
    {
        foreach (var rule in _rules)
        {
            if (GlobPattern.IsMatch(rule.Pattern, unit))
            {
                return (rule.Verb, rule.Source);
            }
        }

        return null;
    }
}
