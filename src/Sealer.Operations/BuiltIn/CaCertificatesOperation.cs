namespace Sealer.Operations.BuiltIn;

internal sealed class CaCertificatesOperation : SealOperationBase
{
    private static readonly string[] Patterns =
    [
        "/etc/pki/CA/certs/*.crt", "/etc/pki/CA/crl/*.crt", "/etc/pki/CA/newcerts/*.crt", "/etc/pki/CA/private/*.key",
        "/etc/pki/tls/private/*.key", "/etc/pki/tls/certs/*.crt",
    ];

    private static readonly string[] Kept = ["ca-bundle.crt", "ca-bundle.trust.crt"];

    public override string Name => "ca-certificates";

    public override string Heading => "Remove CA certificates in the guest";

    public override bool EnabledByDefault => false;

    public override string Description =>
        $"Off by default. Removes the host's own certificates and keys:\n{PathList(Patterns)}\nkeeping {string.Join(" and ", Kept)}.";

    public override void Perform(SealContext context)
    {
        foreach (var path in Patterns.SelectMany(context.Files.Glob).Where(p => !Kept.Contains(Core.FileSystems.PosixPath.GetFileName(p))))
        {
            context.Files.DeleteTree(path);
        }
    }
}
