using System.ComponentModel;
using Sealer.Cli.Pipeline;
using Sealer.Guest.Inspection;
using Sealer.Operations;

namespace Sealer.Cli.Reports;

// The documents `seal --json`, `inspect --json` and `check --json` print. They are data, not display text: states
// are enums, lists are arrays, every key is always present (null when unknown). docs/schemas/*.schema.json are
// generated from these types (JsonSchemas) and checked in; a test keeps them equal.

[Description("Where the guest was read from.")]
internal sealed record SourceJson(
    [property: Description("image or directory")] SourceType Type,
    [property: Description("The path as given on the command line.")] string Path,
    [property: Description("raw or qcow2 for an image; null for a directory.")] string? Format,
    [property: Description("Backing files below the image, nearest first.")] IReadOnlyList<string> BackingFiles)
{
    public static SourceJson From(GuestSession session) => session.Image is { } image
        ? new SourceJson(SourceType.Image, session.Source, image.Format, [.. image.Chain.Skip(1)])
        : new SourceJson(SourceType.Directory, session.Source, null, []);
}

internal enum SourceType
{
    Image,
    Directory,
}

[Description("The operating system found in the guest.")]
internal sealed record GuestJson(
    [property: Description("os-release ID (debian, ubuntu, fedora, rhel, ...); unknown when absent.")] string Distro,
    [property: Description("os-release VERSION_ID.")] string? Version,
    DistroFamily Family,
    [property: Description("os-release PRETTY_NAME.")] string? PrettyName)
{
    public static GuestJson From(GuestInfo info) => new(info.DistroId, info.VersionId, info.Family, info.PrettyName);
}

[Description("What a seal run writes to.")]
internal sealed record TargetJson(
    [property: Description("in-place: the input is changed; overlay: a new thin qcow2 over the input; standalone: a new full image.")] TargetMode Mode,
    [property: Description("The file or directory written (for a dry run: the one a real run would write).")] string Path,
    [property: Description("qcow2 or raw for a new image; null in place.")] string? Format,
    [property: Description("The overlay's backing file (the input); null otherwise.")] string? BackingFile)
{
    public static TargetJson From(CommitTarget intended, GuestSession session) => intended.Mode switch
    {
        CommitMode.Overlay => new TargetJson(TargetMode.Overlay, intended.OutputPath!, "qcow2", session.Source),
        CommitMode.Standalone => new TargetJson(TargetMode.Standalone, intended.OutputPath!, intended.OutputFormat, null),
        _ => new TargetJson(TargetMode.InPlace, session.Source, session.Image?.Format, null),
    };
}

internal enum TargetMode
{
    InPlace,
    Overlay,
    Standalone,
}

[Description("One change to the guest.")]
internal sealed record ActionJson(
    [property: Description("The operation that makes the change.")] string Operation,
    [property: Description("The guest path.")] string Path,
    [property: Description("The kind of change (stable identifier).")] SealActionKind Kind,
    [property: Description("The word the text report uses: delete, truncate, rewrite, create, delete tree, create symlink, create directory.")] string Verb,
    [property: Description("Bytes removed (delete, truncate, delete tree), or the new length (create, rewrite, symlink target).")] long Size)
{
    public static ActionJson From(SealAction action) =>
        new(action.Operation, action.Path, action.Kind, SealActionWords.Verb(action.Kind), action.Size);
}

[Description("One selected operation and what it did (or, in a dry run, would do).")]
internal sealed record OperationJson(
    string Name,
    OperationStatus Status,
    IReadOnlyList<ActionJson> Actions,
    IReadOnlyList<string> Warnings,
    [property: Description("Why the operation failed; null unless status is failed.")] string? Error)
{
    public static OperationJson From(OperationResult result) =>
        new(result.Name, result.Status, [.. result.Actions.Select(ActionJson.From)], result.Warnings, result.Error);
}

[Description("sealer seal --json")]
internal sealed record SealJson(
    [property: Description("True when nothing was written (--dry-run).")] bool DryRun,
    [property: Description("False when an operation failed; then nothing was written.")] bool Succeeded,
    SourceJson Source,
    TargetJson Target,
    GuestJson Guest,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<OperationJson> Operations)
{
    public static SealJson From(SealReport report, bool dryRun, GuestSession session, CommitTarget intended) => new(
        dryRun,
        report.Succeeded,
        SourceJson.From(session),
        TargetJson.From(intended, session),
        GuestJson.From(session.Guest.Info),
        report.StartedAt,
        report.FinishedAt,
        [.. report.Operations.Select(OperationJson.From)]);
}

[Description("An operation that failed during the check.")]
internal sealed record CheckErrorJson(string Operation, string Error);

[Description("sealer check --json")]
internal sealed record CheckJson(
    [property: Description("True when nothing identifies one machine (exit 0).")] bool Clean,
    SourceJson Source,
    GuestJson Guest,
    [property: Description("What a default seal would still change.")] IReadOnlyList<ActionJson> Findings,
    IReadOnlyList<CheckErrorJson> Errors);

[Description("A partition, or the whole disk when there is no partition table.")]
internal sealed record PartitionJson(
    [property: Description("1-based partition number; null for a whole disk.")] int? Number,
    [property: Description("The name Linux would give it (/dev/sda1).")] string Device,
    [property: Description("Byte offset on the disk.")] long Offset,
    [property: Description("Length in bytes.")] long Length,
    [property: Description("GPT type GUID or MBR type (0x83); null for a whole disk.")] string? PartitionType,
    [property: Description("GPT partition name.")] string? Name,
    FileSystemJson FileSystem);

[Description("What a partition holds.")]
internal sealed record FileSystemJson(
    [property: Description("blkid-style type: ext2, ext3, ext4, xfs, btrfs, LVM2_member, crypto_LUKS, swap, vfat, ...; unknown when nothing was recognised.")] string Type,
    string? Uuid,
    string? Label,
    [property: Description("True when Sealer opens it (ext2/ext3/ext4).")] bool Supported,
    [property: Description("For a person, e.g. \"LVM2 physical volume (volume group rhel)\"; null when supported.")] string? Detail)
{
    public static FileSystemJson From(DetectedFileSystem detected) => detected.Identity is { } identity
        ? new FileSystemJson(identity.Type, identity.Uuid, identity.Label, true, null)
        : detected.Unsupported is { } other
            ? new FileSystemJson(other.Type, other.Uuid, other.Label, false, other.Description)
            : new FileSystemJson(GuestAssembler.UnknownType, null, null, false, "no file system Sealer recognises");
}

[Description("A file system mounted into the guest, as its fstab says.")]
internal sealed record MountJson(string MountPoint, string Device, string FileSystem);

[Description("The operating system and what is installed.")]
internal sealed record OsJson(
    string Distro,
    [property: Description("os-release ID_LIKE words.")] IReadOnlyList<string> IdLike,
    string? Version,
    string? PrettyName,
    DistroFamily Family,
    [property: Description("systemd's version; null when systemd is not installed.")] int? SystemdVersion,
    [property: Description("Network configuration stacks present.")] IReadOnlyList<NetworkStacks> NetworkStacks,
    bool SshServer,
    [property: Description("/etc/hostname, trimmed; null when absent.")] string? Hostname)
{
    public static OsJson From(GuestInfo info) => new(
        info.DistroId,
        info.IdLike,
        info.VersionId,
        info.PrettyName,
        info.Family,
        info.SystemdVersion,
        [.. Enum.GetValues<NetworkStacks>().Where(s => s != Guest.Inspection.NetworkStacks.None && info.NetworkStacks.HasFlag(s))],
        info.HasSshServer,
        info.Hostname);
}

[Description("A machine-id file.")]
internal sealed record MachineIdJson(
    MachineIdState State,
    [property: Description("The ID when set, the link target for a symlink, the file kind when not a regular file; else null.")] string? Value)
{
    public static MachineIdJson From(MachineIdFact fact) => new(fact.State, fact.Value);
}

[Description("cloud-init's state.")]
internal sealed record CloudInitJson(CloudInitState State, [property: Description("Instance IDs it ran as.")] IReadOnlyList<string> Instances);

[Description("sealer inspect --json")]
internal sealed record InspectJson(
    SourceJson Source,
    [property: Description("gpt or mbr; null when the disk has no partition table or the source is a directory.")] string? PartitionScheme,
    IReadOnlyList<PartitionJson> Partitions,
    IReadOnlyList<MountJson> Mounts,
    OsJson Os,
    MachineIdJson MachineId,
    [property: Description("/var/lib/dbus/machine-id; null when absent.")] MachineIdJson? DbusMachineId,
    IReadOnlyList<HostKeyFingerprint> HostKeys,
    CloudInitJson CloudInit,
    IReadOnlyList<string> Warnings);
