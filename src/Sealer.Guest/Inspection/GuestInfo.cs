namespace Sealer.Guest.Inspection;

/// <summary>What inspection found out about a guest. Operations read it to decide what applies.</summary>
public sealed record GuestInfo
{
    /// <summary>os-release ID, e.g. "debian", "ubuntu", "fedora", "rhel", "opensuse-leap", "arch", "alpine"; "unknown" if absent.</summary>
    public string DistroId { get; init; } = "unknown";

    /// <summary>os-release ID_LIKE words.</summary>
    public IReadOnlyList<string> IdLike { get; init; } = [];

    public string? VersionId { get; init; }

    public string? PrettyName { get; init; }

    public DistroFamily Family { get; init; } = DistroFamily.Unknown;

    /// <summary>systemd's version number if systemd is installed, else null.</summary>
    public int? SystemdVersion { get; init; }

    public bool HasCloudInit { get; init; }

    public NetworkStacks NetworkStacks { get; init; }

    public bool HasSshServer { get; init; }

    /// <summary>Content of /etc/hostname (trimmed), if any.</summary>
    public string? Hostname { get; init; }
}

public enum DistroFamily
{
    Unknown,
    Debian,
    RedHat,
    Suse,
    Arch,
    Alpine,
}

/// <summary>Network configuration stacks present in the guest.</summary>
[Flags]
public enum NetworkStacks
{
    None = 0,
    Ifupdown = 1,
    Netplan = 2,
    NetworkManager = 4,
    Networkd = 8,
    Ifcfg = 16,
    Wicked = 32,
}
