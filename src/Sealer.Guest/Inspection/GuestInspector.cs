using System.Globalization;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>
/// Finds out what a guest is from its files alone (nothing is executed). Symlinks are followed inside the
/// guest, so /etc/os-release -> ../usr/lib/os-release works and nothing can reach the host.
/// </summary>
public static class GuestInspector
{
    /// <summary>
    /// Where systemd keeps its private shared library, whose file name carries the version
    /// (libsystemd-shared-252.so, libsystemd-shared-255.4-1.fc40.so). This is the detection method: it works
    /// without a package database and for every distro. Multiarch folders (/usr/lib/x86_64-linux-gnu/systemd,
    /// Debian and Ubuntu) are found by listing /usr/lib and /lib.
    /// </summary>
    private static readonly string[] SystemdLibraryDirectories =
        ["/usr/lib/systemd", "/lib/systemd", "/usr/lib64/systemd", "/lib64/systemd"];

    /// <summary>Inspects a guest seen through <paramref name="root"/> (a <see cref="GuestRoot"/> or a single file system).</summary>
    public static GuestInfo Inspect(IFileSystem root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var guest = root as GuestRoot ?? GuestRoot.Borrow(root);
        var osRelease = ReadOsRelease(guest);
        var id = osRelease.GetValueOrDefault("ID") is { Length: > 0 } rawId ? rawId.ToLowerInvariant() : "unknown";
        var idLike = (osRelease.GetValueOrDefault("ID_LIKE") ?? string.Empty)
            .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.ToLowerInvariant())
            .ToList();

        return new GuestInfo
        {
            DistroId = id,
            IdLike = idLike,
            VersionId = osRelease.GetValueOrDefault("VERSION_ID"),
            PrettyName = osRelease.GetValueOrDefault("PRETTY_NAME"),
            Family = FamilyOf(id, idLike),
            SystemdVersion = FindSystemdVersion(guest),
            HasCloudInit = HasCloudInit(guest),
            NetworkStacks = FindNetworkStacks(guest),
            HasSshServer = GuestFiles.IsFile(guest, "/usr/sbin/sshd"),
            Hostname = ReadHostname(guest),
        };
    }

    /// <summary>cloud-init is installed: its program or its main configuration exists.</summary>
    internal static bool HasCloudInit(GuestRoot guest) =>
        GuestFiles.Exists(guest, "/usr/bin/cloud-init") || GuestFiles.Exists(guest, "/etc/cloud/cloud.cfg");

    internal static Dictionary<string, string> ReadOsRelease(GuestRoot guest)
    {
        // os-release(5): /etc/os-release takes precedence; /usr/lib/os-release is the fallback.
        var text = GuestFiles.ReadSmallText(guest, "/etc/os-release") ?? GuestFiles.ReadSmallText(guest, "/usr/lib/os-release");
        return text is null ? new Dictionary<string, string>(StringComparer.Ordinal) : OsReleaseParser.Parse(text);
    }

    internal static DistroFamily FamilyOf(string id, IReadOnlyList<string> idLike)
    {
        foreach (var word in idLike.Prepend(id))
        {
            var family = word switch
            {
                "debian" or "ubuntu" or "linuxmint" or "raspbian" or "devuan" or "kali" or "pop" => DistroFamily.Debian,
                "fedora" or "rhel" or "centos" or "rocky" or "almalinux" or "ol" or "amzn" or "scientific" => DistroFamily.RedHat,
                "suse" or "sles" or "sled" or "opensuse" => DistroFamily.Suse,
                "arch" or "manjaro" or "endeavouros" or "archarm" => DistroFamily.Arch,
                "alpine" or "postmarketos" => DistroFamily.Alpine,
                _ when word.StartsWith("opensuse", StringComparison.Ordinal) => DistroFamily.Suse,
                _ => DistroFamily.Unknown,
            };
            if (family != DistroFamily.Unknown)
            {
                return family;
            }
        }

        return DistroFamily.Unknown;
    }

    internal static int? FindSystemdVersion(GuestRoot guest)
    {
        var directories = new List<string>(SystemdLibraryDirectories);
        foreach (var lib in new[] { "/usr/lib", "/lib" })
        {
            directories.AddRange(GuestFiles.ListOrEmpty(guest, lib)
                .Where(e => e.Name.Contains("-linux-gnu", StringComparison.Ordinal) || e.Name.Contains("-linux-musl", StringComparison.Ordinal))
                .Select(e => $"{lib}/{e.Name}/systemd"));
        }

        int? best = null;
        foreach (var directory in directories)
        {
            foreach (var entry in GuestFiles.ListOrEmpty(guest, directory))
            {
                if (ParseSharedLibraryVersion(entry.Name) is { } version && (best is null || version > best))
                {
                    best = version;
                }
            }
        }

        return best;
    }

    /// <summary>"libsystemd-shared-252.so" / "libsystemd-shared-255.4-1.fc40.so" -> 252 / 255.</summary>
    internal static int? ParseSharedLibraryVersion(string fileName)
    {
        const string Prefix = "libsystemd-shared-";
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.Contains(".so", StringComparison.Ordinal))
        {
            return null;
        }

        var digits = fileName[Prefix.Length..].TakeWhile(char.IsAsciiDigit).ToArray();
        return digits.Length is > 0 and <= 6 ? int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) : null;
    }

    internal static NetworkStacks FindNetworkStacks(GuestRoot guest)
    {
        var stacks = NetworkStacks.None;
        if (GuestFiles.IsFile(guest, "/etc/network/interfaces")
            && (GuestFiles.Exists(guest, "/sbin/ifup") || GuestFiles.Exists(guest, "/usr/sbin/ifup")))
        {
            stacks |= NetworkStacks.Ifupdown;
        }

        if (GuestFiles.IsDirectory(guest, "/etc/netplan") || GuestFiles.Exists(guest, "/usr/sbin/netplan"))
        {
            stacks |= NetworkStacks.Netplan;
        }

        if (GuestFiles.Exists(guest, "/usr/sbin/NetworkManager"))
        {
            stacks |= NetworkStacks.NetworkManager;
        }

        if (GuestFiles.Exists(guest, "/usr/lib/systemd/systemd-networkd") || GuestFiles.Exists(guest, "/lib/systemd/systemd-networkd"))
        {
            stacks |= NetworkStacks.Networkd;
        }

        if (GuestFiles.IsDirectory(guest, "/etc/sysconfig/network-scripts"))
        {
            stacks |= NetworkStacks.Ifcfg;
        }

        if (GuestFiles.Exists(guest, "/usr/sbin/wicked"))
        {
            stacks |= NetworkStacks.Wicked;
        }

        return stacks;
    }

    private static string? ReadHostname(GuestRoot guest)
    {
        var text = GuestFiles.ReadSmallText(guest, "/etc/hostname");
        if (text is null)
        {
            return null;
        }

        // hostname(5): a single line; '#' lines are comments.
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && l[0] != '#');
        return line is { Length: > 0 and <= 253 } ? line : null;
    }
}
