using Sealer.Cli.Pipeline;
using Sealer.Guest.Inspection;

namespace Sealer.Cli.Reports;

/// <summary>Everything `inspect` prints: <see cref="WriteText"/> for people, <see cref="ToJson"/> for programs.</summary>
internal sealed record InspectionReport(
    SourceJson Source,
    string? PartitionScheme,
    IReadOnlyList<PartitionJson> Partitions,
    IReadOnlyList<MountJson> Mounts,
    GuestInfo Os,
    IdentityFacts Identity,
    IReadOnlyList<string> Warnings)
{
    public string? ImageFormat => Source.Format;

    public IReadOnlyList<string> Chain => Source.BackingFiles;

    public static InspectionReport Build(GuestSession session)
    {
        var partitions = session.FileSystems
            .Select(f => new PartitionJson(
                f.Partition?.Number,
                f.DeviceName,
                f.Partition?.Offset ?? 0,
                f.Device.Length,
                f.Partition?.TypeGuid?.ToString() ?? (f.Partition?.MbrType is byte t ? $"0x{t:x2}" : null),
                f.Partition?.Name,
                FileSystemJson.From(f)))
            .ToList();
        var mounts = session.Guest.Mounts.Select(m => new MountJson(m.MountPoint, m.DeviceName, m.Identity.Type)).ToList();
        var warnings = session.PartitionTable?.Warnings.Concat(session.Guest.Warnings).ToList() ?? session.Guest.Warnings.ToList();
        return new InspectionReport(
            SourceJson.From(session),
            session.PartitionTable?.Scheme.ToString().ToLowerInvariant(),
            partitions,
            mounts,
            session.Guest.Info,
            IdentityFacts.Read(session.Guest.Root),
            warnings);
    }

    public InspectJson ToJson() => new(
        Source,
        PartitionScheme,
        Partitions,
        Mounts,
        OsJson.From(Os),
        MachineIdJson.From(Identity.MachineId),
        Identity.DbusMachineId is { } dbus ? MachineIdJson.From(dbus) : null,
        Identity.HostKeys,
        new CloudInitJson(Identity.CloudInit.State, Identity.CloudInit.Instances),
        Warnings);

    public void WriteText(TextWriter output)
    {
        output.WriteLine($"source:     {Source.Path}" + (ImageFormat is null ? string.Empty : $" ({ImageFormat})"));
        foreach (var backing in Chain)
        {
            output.WriteLine($"backing:    {backing}");
        }

        if (PartitionScheme is not null)
        {
            output.WriteLine($"partitions: {PartitionScheme}");
        }

        foreach (var p in Partitions)
        {
            var fs = p.FileSystem;
            output.WriteLine($"  {p.Device,-12} {p.Offset,14} {p.Length,14}  {fs.Type,-8} {fs.Uuid ?? "-"}  {fs.Label ?? string.Empty}{(p.Name is null ? string.Empty : $" name={p.Name}")}"
                + (fs.Supported ? string.Empty : $"  ({fs.Detail}: not supported)"));
        }

        foreach (var m in Mounts)
        {
            output.WriteLine($"mount:      {m.MountPoint} <- {m.Device} ({m.FileSystem})");
        }

        output.WriteLine($"os:         {Os.PrettyName ?? Os.DistroId} (family {Os.Family.ToString().ToLowerInvariant()}, version {Os.VersionId ?? "?"})");
        output.WriteLine($"systemd:    {(Os.SystemdVersion is int v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not found")}");
        var stacks = OsJson.From(Os).NetworkStacks;
        output.WriteLine($"network:    {(stacks.Count == 0 ? "none" : string.Join(", ", stacks).ToLowerInvariant())}");
        output.WriteLine($"hostname:   {Os.Hostname ?? "(none)"}");
        output.WriteLine($"machine-id: {Identity.MachineId.Describe()}");
        if (Identity.DbusMachineId is { } dbus)
        {
            output.WriteLine($"dbus id:    {dbus.Describe()}");
        }

        output.WriteLine($"ssh server: {(Os.HasSshServer ? "installed" : "not found")}");
        foreach (var key in Identity.HostKeys)
        {
            output.WriteLine($"host key:   {key.Fingerprint} {key.Type} {key.Path}");
        }

        output.WriteLine($"cloud-init: {Identity.CloudInit.Describe()}");
        foreach (var w in Warnings)
        {
            output.WriteLine($"warning:    {w}");
        }
    }
}
