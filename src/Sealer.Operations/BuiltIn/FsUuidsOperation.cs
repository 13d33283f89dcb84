namespace Sealer.Operations.BuiltIn;

internal sealed class FsUuidsOperation : UnsupportedDeviceOperation
{
    public override string Name => "fs-uuids";

    public override string Heading => "Change filesystem UUIDs (not supported)";

    public override string Unsupported =>
        "new file system UUIDs would have to be written into fstab, the bootloader, the initramfs and resume=; Sealer does not do that";

    public override string Description =>
        "Off by default, and never performed by Sealer. New filesystem UUIDs would have to be propagated to /etc/fstab, " +
        "the bootloader, the initramfs and resume= settings; virt-sysprep does not do that either and warns it is " +
        "likely to leave the guest unbootable.";
}
