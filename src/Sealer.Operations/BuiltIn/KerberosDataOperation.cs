namespace Sealer.Operations.BuiltIn;

internal sealed class KerberosDataOperation : SealOperationBase
{
    private const string Directory = "/var/kerberos/krb5kdc";

    private static readonly string[] Kept = ["kadm5.acl", "kdc.conf"];

    public override string Name => "kerberos-data";

    public override string Heading => "Remove Kerberos data in the guest";

    public override bool EnabledByDefault => false;

    public override string Description =>
        $"Off by default. Removes the KDC database in {Directory}/ except {string.Join(" and ", Kept)} (its configuration).";

    public override void Perform(SealContext context) =>
        context.Files.DeleteDirectoryContents(Directory, entry => Kept.Contains(entry.Name));
}
