using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed class MachineIdOperation : SealOperationBase
{
    public const string EtcMachineId = "/etc/machine-id";
    public const string DbusMachineId = "/var/lib/dbus/machine-id";

    /// <summary>Units whose preset-driven enabling at a first boot is known to break guests (networkd on an ifupdown
    /// Debian stalls boot in systemd-networkd-wait-online).</summary>
    private static readonly string[] WatchedUnits =
        ["systemd-networkd.service", "systemd-networkd-wait-online.service", "systemd-resolved.service"];

    public override string Name => "machine-id";

    public override string Heading => "Remove the local machine ID";

    /// <summary>Last of the file operations, so nothing later can refill the ID (virt-sysprep's customize step did).</summary>
    public override int Order => 95;

    public override string Description =>
        $"Leaves {EtcMachineId} as an empty file (systemd then makes a new ID at every boot until it can commit one, " +
        $"without first-boot semantics), or with --machine-id first-boot writes \"uninitialized\" (a first boot: " +
        $"ConditionFirstBoot units run and unit presets are applied; a warning lists units such as " +
        $"{string.Join(", ", WatchedUnits)} that the presets would newly enable: a first boot runs presets in enable-only mode). A regular {DbusMachineId} is removed " +
        "(D-Bus and systemd would resurrect the old ID from it); a symlink there is kept. Runs last; nothing refills the ID.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var systemd = context.Guest.SystemdVersion;
        var mode = context.Options.MachineId;
        if (mode == MachineIdMode.FirstBoot && systemd is null or < 247)
        {
            context.Warn($"--machine-id first-boot needs systemd 247 or later (guest has {systemd?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no systemd"}); writing an empty machine-id instead");
            mode = MachineIdMode.Empty;
        }

        if (files.IsSymlink(EtcMachineId))
        {
            files.DeleteIfExists(EtcMachineId);
            context.Warn($"{EtcMachineId} was a symlink; replaced by a regular file");
        }

        if (files.Exists(EtcMachineId) || systemd is not null)
        {
            var content = mode == MachineIdMode.FirstBoot ? "uninitialized\n" : string.Empty;
            if (!(content.Length == 0 && files.TruncateIfExists(EtcMachineId)))
            {
                files.WriteText(EtcMachineId, content, FileModes.ReadOnly444);
            }
        }

        if (files.IsRegularFile(DbusMachineId))
        {
            files.DeleteIfExists(DbusMachineId);
        }

        if (mode == MachineIdMode.FirstBoot)
        {
            WarnAboutPresets(context);
        }
    }

    private static void WarnAboutPresets(SealContext context)
    {
        var presets = PresetPolicy.Load(context.Files);
        foreach (var unit in WatchedUnits.Where(u => SystemdUnits.Exists(context.Files, u)))
        {
            // No matching line means "enable" (systemd.preset(5)), and a first boot runs preset-all in enable-only mode.
            var rule = presets.Decide(unit);
            var source = rule?.Source ?? "no preset rule (systemd's default)";
            if ((rule is null or { Verb: "enable" }) && !SystemdUnits.IsEnabled(context.Files, unit) && !SystemdUnits.IsMasked(context.Files, unit))
            {
                context.Warn($"first boot applies unit presets: {unit} is not enabled but {source} enables it; " +
                    "if the guest uses another network stack this can stall boot (systemd-networkd-wait-online); " +
                    "use the default empty machine-id or mask the unit");
            }
        }
    }
}
