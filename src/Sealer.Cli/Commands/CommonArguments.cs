using CommandLine;

namespace Sealer.Cli.Commands;

/// <summary>Options shared by every verb that opens a guest.</summary>
internal abstract class CommonArguments
{
    [Option('a', "add", MetaValue = "IMAGE", HelpText = "Disk image to open (raw or qcow2).")]
    public string? Image { get; set; }

    [Option("dir", MetaValue = "ROOTFS", HelpText = "A guest tree already unpacked on the host (container rootfs, chroot) instead of an image.")]
    public string? Directory { get; set; }

    [Option("live-host", HelpText = "Allow --dir to name the root of the running machine (/ or the same device and inode). seal then really changes the machine it runs on: its machine-id, SSH host keys, logs, network state and the rest of what the operations list; check and inspect still only read.")]
    public bool LiveHost { get; set; }

    [Option("cross-mounts", HelpText = "With --dir: also reach file systems mounted inside the tree (by default, like rm --one-file-system, they are skipped with a warning).")]
    public bool CrossMounts { get; set; }

    [Option("format", MetaValue = "FORMAT", HelpText = "Image format: raw or qcow2. Default: probe. An explicit raw is never overridden by probing.")]
    public string? Format { get; set; }

    [Option("allow-backing", HelpText = "Open backing files outside the image's folder (absolute or ../ names).")]
    public bool AllowBacking { get; set; }

    [Option("root", MetaValue = "DEVICE", HelpText = "Device that holds the root file system when several do (e.g. /dev/sda2).")]
    public string? RootDevice { get; set; }

    [Option("json", HelpText = "Print the result as JSON.")]
    public bool Json { get; set; }

    [Option('v', "verbose", HelpText = "Show details, and stack traces on errors.")]
    public bool Verbose { get; set; }

    /// <summary>Words that are not options or their values. Any is a usage error (<see cref="VerbDispatcher"/>): a
    /// word the parser dropped silently once let `seal foo bar` pass, and a mistyped verb must never run another.</summary>
    [Value(0, Hidden = true, MetaName = "stray words")]
    public IEnumerable<string> StrayWords { get; set; } = [];
}
