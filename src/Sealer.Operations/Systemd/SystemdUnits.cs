using Sealer.Core.FileSystems;

namespace Sealer.Operations.Systemd;

/// <summary>Facts about systemd units read from the guest's unit directories (no systemctl: nothing runs in the guest).</summary>
internal static class SystemdUnits
{
    public const string AdminDirectory = "/etc/systemd/system";

    /// <summary>Unit search path, highest priority first (/lib for guests without merged /usr).</summary>
    public static readonly string[] UnitDirectories = [AdminDirectory, "/usr/lib/systemd/system", "/lib/systemd/system"];

    public static bool Exists(GuestFiles files, string unit) =>
        UnitDirectories.Any(d => files.Exists(PosixPath.Combine(d, unit)));

    /// <summary>True when some *.wants/ or *.requires/ directory links the unit (enabled, by the admin or statically).</summary>
    public static bool IsEnabled(GuestFiles files, string unit) =>
        UnitDirectories.Any(directory => files.ListDirectory(directory)
            .Where(e => e.Kind == FileKind.Directory && (e.Name.EndsWith(".wants", StringComparison.Ordinal) || e.Name.EndsWith(".requires", StringComparison.Ordinal)))
            .Any(e => files.Exists(PosixPath.Combine(PosixPath.Combine(directory, e.Name), unit))));

    /// <summary>Masked = /etc/systemd/system/unit is a link to /dev/null; presets never enable a masked unit.</summary>
    public static bool IsMasked(GuestFiles files, string unit) =>
        files.ReadLink(PosixPath.Combine(AdminDirectory, unit)) == "/dev/null";

    /// <summary>What `systemctl enable` does for WantedBy=<paramref name="target"/>: an absolute link in target.wants/.</summary>
    public static void EnableFor(GuestFiles files, string unitPath, string target)
    {
        var wants = PosixPath.Combine(AdminDirectory, target + ".wants");
        files.EnsureDirectory(wants, BuiltIn.FileModes.Directory755);
        files.CreateSymlink(PosixPath.Combine(wants, PosixPath.GetFileName(unitPath)), unitPath);
    }

    /// <summary>Installs a Sealer first-boot unit in /etc/systemd/system and enables it for multi-user.target and for
    /// each of <paramref name="alsoWantedBy"/> that exists in the guest. Writes nothing when it is already in place.</summary>
    public static void InstallEnabled(GuestFiles files, string unitName, string content, params string[] alsoWantedBy)
    {
        var path = PosixPath.Combine(AdminDirectory, unitName);
        files.EnsureDirectory(AdminDirectory, BuiltIn.FileModes.Directory755);
        files.WriteText(path, content, BuiltIn.FileModes.Regular644);
        EnableFor(files, path, "multi-user.target");
        foreach (var unit in alsoWantedBy.Where(u => Exists(files, u)))
        {
            EnableFor(files, path, unit);
        }
    }
}
