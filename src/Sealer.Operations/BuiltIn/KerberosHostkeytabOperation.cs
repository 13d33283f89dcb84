namespace Sealer.Operations.BuiltIn;

internal sealed class KerberosHostkeytabOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/krb5.keytab",
    ];

    public override string Name => "kerberos-hostkeytab";

    public override string Heading => "Remove the Kerberos host keytab file in the guest";

    protected override string Why => "The host keytab holds this machine's Kerberos principal keys; a clone must join on its own.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
