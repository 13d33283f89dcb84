namespace Sealer.Operations.BuiltIn;

internal sealed class LvmSystemDevicesOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/lvm/devices/system.devices",
    ];

    public override string Name => "lvm-system-devices";

    public override string Heading => "Remove LVM2 system.devices file";

    protected override string Why => "The LVM devices file lists the template's disk WWIDs; on a clone pvscan would ignore the new disks.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
