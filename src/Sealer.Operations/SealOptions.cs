namespace Sealer.Operations;

/// <summary>User choices that operations read. Every member has a safe default.</summary>
public sealed record SealOptions
{
    /// <summary>Hostname the hostname operation writes; null resets to "localhost". Must be a valid RFC 1123 host name.</summary>
    public string? Hostname { get; init; }

    /// <summary>What machine-id leaves in /etc/machine-id (default: an empty file).</summary>
    public MachineIdMode MachineId { get; init; } = MachineIdMode.Empty;

    /// <summary>When true (default) the cloud-init operation keeps /var/lib/cloud/seed (a baked NoCloud seed); false removes it too.</summary>
    public bool KeepCloudInitSeed { get; init; } = true;

    /// <summary>user-account: when non-empty, only these login names are removed (still subject to <see cref="KeepUserAccounts"/>).</summary>
    public IReadOnlyList<string> RemoveUserAccounts { get; init; } = [];

    /// <summary>user-account: login names never removed.</summary>
    public IReadOnlyList<string> KeepUserAccounts { get; init; } = [];
}
