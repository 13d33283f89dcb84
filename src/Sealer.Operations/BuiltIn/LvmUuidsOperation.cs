namespace Sealer.Operations.BuiltIn;

internal sealed class LvmUuidsOperation : UnsupportedDeviceOperation
{
    public override string Name => "lvm-uuids";

    public override string Heading => "Change LVM2 PV and VG UUIDs (needs LVM: not yet supported)";

    public override string Unsupported => "needs LVM metadata rewriting, which Sealer does not do yet";

    public override int Order => 99;

    public override string Description =>
        "Not supported, so not a default. Listed for compatibility with virt-sysprep selections, where it is a default " +
        "block-device operation; selected, it is reported as not applicable with that reason. Sealer does " +
        "not read or rewrite LVM metadata, so PV and VG UUIDs stay as in the template and the operation is reported as not " +
        "applicable. Clones are unaffected unless two of them are attached to one host. lvm-system-devices still runs.";
}
