using Sealer.Cli.Pipeline;
using Sealer.Guest.Inspection;

namespace Sealer.Cli.Reports;

/// <summary>Everything `inspect` prints, in a shape that serialises to JSON as is.</summary>
internal sealed record InspectionReport(
    string Source,
    string? ImageFormat,
    IReadOnlyList<string> Chain,
    string? PartitionScheme,
    IReadOnlyList<PartitionLine> Partitions,
    IReadOnlyList<MountLine> Mounts,
    GuestInfo Os,
    IdentityFacts Identity,
    IReadOnlyList<string> Warnings)
{
    public static InspectionReport Build(GuestSession session)
    {
        var partitions = session.FileSystems
            .Select(f => new PartitionLine(
                f.DeviceName,
                f.Partition?.Offset ?? 0,
                f.Device.Length,
                f.Partition?.TypeGuid?.ToString() ?? (f.Partition?.MbrType is byte t ? $"0x{t:x2}" : null),
                f.Partition?.Name,
                f.Identity?.Type ?? "unknown",
                f.Identity?.Uuid,
                f.Identity?.Label))
            .ToList();
        var mounts = session.Guest.Mounts.Select(m => new MountLine(m.MountPoint, m.DeviceName, m.Identity.Type)).ToList();
        var warnings = session.PartitionTable?.Warnings.Concat(session.Guest.Warnings).ToList() ?? session.Guest.Warnings.ToList();
        return new InspectionReport(
            session.Source,
            session.Image?.Format,
            session.Image?.Chain ?? [],
            session.PartitionTable?.Scheme.ToString().ToLowerInvariant(),
            partitions,
            mounts,
            session.Guest.Info,
            IdentityFacts.Read(session.Guest.Root),
            warnings);
    }

    public void WriteText(TextWriter output)
    {
        output.WriteLine($"source:     {Source}" + (ImageFormat is null ? string.Empty : $" ({ImageFormat})"));
        foreach (var backing in Chain.Skip(1))
        {
            output.WriteLine($"backing:    {backing}");
        }

        if (PartitionScheme is not null)
        {
            output.WriteLine($"partitions: {PartitionScheme}");
        }

        foreach (var p in Partitions)
        {
            output.WriteLine($"  {p.Device,-12} {p.Offset,14} {p.Length,14}  {p.FileSystem,-8} {p.Uuid ?? "-"}  {p.Label ?? string.Empty}{(p.Name is null ? string.Empty : $" name={p.Name}")}");
        }

        foreach (var m in Mounts)
        {
            output.WriteLine($"mount:      {m.MountPoint} <- {m.Device} ({m.FileSystem})");
        }

        output.WriteLine($"os:         {Os.PrettyName ?? Os.DistroId} (family {Os.Family.ToString().ToLowerInvariant()}, version {Os.VersionId ?? "?"})");
        output.WriteLine($"systemd:    {(Os.SystemdVersion is int v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not found")}");
        output.WriteLine($"network:    {Os.NetworkStacks}");
        output.WriteLine($"hostname:   {Os.Hostname ?? "(none)"}");
        output.WriteLine($"machine-id: {Identity.MachineIdState}");
        if (Identity.DbusMachineIdState is not null)
        {
            output.WriteLine($"dbus id:    {Identity.DbusMachineIdState}");
        }

        output.WriteLine($"ssh server: {(Os.HasSshServer ? "installed" : "not found")}");
        foreach (var key in Identity.HostKeys)
        {
            output.WriteLine($"host key:   {key.Fingerprint} {key.Type} {key.Path}");
        }

        output.WriteLine($"cloud-init: {Identity.CloudInitState}");
        foreach (var w in Warnings)
        {
            output.WriteLine($"warning:    {w}");
        }
    }
}

internal sealed record PartitionLine(string Device, long Offset, long Length, string? Type, string? Name, string FileSystem, string? Uuid, string? Label);

internal sealed record MountLine(string MountPoint, string Device, string FileSystem);
