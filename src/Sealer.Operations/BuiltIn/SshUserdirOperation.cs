namespace Sealer.Operations.BuiltIn;

internal sealed class SshUserdirOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/root/.ssh",
        "/home/*/.ssh",
    ];

    public override string Name => "ssh-userdir";

    public override string Heading => "Remove \".ssh\" directories in the guest";

    public override bool EnabledByDefault => false;

    protected override string Why => "Off by default, unlike virt-sysprep: removing authorized_keys locks users (and Vagrant) out of every clone.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
