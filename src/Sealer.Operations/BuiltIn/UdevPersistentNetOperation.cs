namespace Sealer.Operations.BuiltIn;

internal sealed class UdevPersistentNetOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/udev/rules.d/70-persistent-net.rules",
    ];

    public override string Name => "udev-persistent-net";

    public override string Heading => "Remove udev persistent net rules";

    protected override string Why => "The rules pin the template's MAC addresses to interface names, so a clone's NIC would become eth1.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
