namespace Sealer.Operations;

/// <summary>What the machine-id operation leaves in /etc/machine-id.</summary>
public enum MachineIdMode
{
    /// <summary>A zero-length file: systemd generates a new ID at boot without first-boot semantics (presets are not applied).</summary>
    Empty,

    /// <summary>"uninitialized\n": systemd generates a new ID and treats the boot as a first boot (ConditionFirstBoot, unit presets).</summary>
    FirstBoot,
}
