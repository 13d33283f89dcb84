using System.Globalization;
using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class UserAccountOperation : SealOperationBase
{
    private static readonly string[] AccountFiles = ["/etc/passwd", "/etc/shadow", "/etc/subuid", "/etc/subgid"];

    private static readonly string[] GroupFiles = ["/etc/group", "/etc/gshadow"];

    public override string Name => "user-account";

    public override string Heading => "Remove the user accounts in the guest";

    public override bool EnabledByDefault => false;

    public override string Description =>
        "Off by default. Removes every account whose UID is between UID_MIN and UID_MAX of /etc/login.defs (default " +
        "1000-60000) except root and --keep-user-accounts (and only --remove-user-accounts when given): its lines in " +
        $"{string.Join(", ", AccountFiles)}, its personal group and group memberships in {string.Join(", ", GroupFiles)}, " +
        "its home directory (when under a directory other than /) and its mail spool.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var defs = GuestFiles.SplitLines(files.ReadAllText("/etc/login.defs") ?? string.Empty);
        var uidMin = LoginDefsNumber(defs, "UID_MIN", 1000);
        var uidMax = LoginDefsNumber(defs, "UID_MAX", 60000);
        var keep = context.Options.KeepUserAccounts;
        var only = context.Options.RemoveUserAccounts;
        var victims = GuestFiles.SplitLines(files.ReadAllText("/etc/passwd") ?? string.Empty)
            .Select(line => line.Split(':'))
            .Where(f => f.Length >= 7 && f[0] != "root" && !keep.Contains(f[0]) && (only.Count == 0 || only.Contains(f[0])))
            .Where(f => long.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid >= uidMin && uid <= uidMax)
            .Select(f => (Name: f[0], Gid: f[3], Home: PosixPath.Normalize(f[5].Length > 0 && f[5][0] == '/' ? f[5] : "/")))
            .ToList();
        if (victims.Count == 0)
        {
            return;
        }

        var names = victims.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var path in AccountFiles)
        {
            files.RewriteLines(path, line => names.Contains(line.Split(':')[0]) ? null : line);
        }

        var personalGroups = victims.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var path in GroupFiles)
        {
            files.RewriteLines(path, line => RewriteGroupLine(line, personalGroups, names));
        }

        foreach (var (name, _, home) in victims)
        {
            // A home directly under / (e.g. /var, /srv) or / itself is a system directory, never deleted.
            if (PosixPath.GetDirectoryName(home) != "/")
            {
                files.DeleteTree(home);
            }

            files.DeleteIfExists(PosixPath.Combine("/var/spool/mail", name));
            files.DeleteIfExists(PosixPath.Combine("/var/mail", name));
        }
    }

    /// <summary>Drops a removed user's personal group; removes removed users from member (and gshadow admin) lists.</summary>
    private static string? RewriteGroupLine(string line, HashSet<string> personalGroups, HashSet<string> users)
    {
        var fields = line.Split(':');
        if (fields.Length < 3 || personalGroups.Contains(fields[0]))
        {
            return fields.Length < 3 ? line : null;
        }

        for (var i = 2; i < fields.Length; i++)
        {
            if (fields[i].Length > 0 && !fields[i].All(char.IsAsciiDigit))
            {
                fields[i] = string.Join(',', fields[i].Split(',').Where(m => !users.Contains(m)));
            }
        }

        return string.Join(':', fields);
    }

    private static long LoginDefsNumber(List<string> lines, string key, long fallback)
    {
        foreach (var words in lines.Select(l => l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))
        {
            if (words.Length >= 2 && words[0] == key && long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return fallback;
    }
}
