namespace Sealer.Operations.BuiltIn;

internal sealed class IpaClientOperation : SealOperationBase
{
    private static readonly string[] Patterns =
    [
        "/etc/ipa/ca.crt", "/etc/ipa/default.conf", "/var/lib/ipa-client/sysrestore/*", "/var/lib/ipa-client/pki/*",
    ];

    private static readonly string[] TrustAnchors =
    [
        "/etc/pki/ca-trust/source/anchors/ipa-ca.crt", "/usr/local/share/ca-certificates/ipa-ca.crt", "/etc/pki/ca-trust/source/ipa.p11-kit",
    ];

    public override string Name => "ipa-client";

    public override string Heading => "Remove the IPA files";

    public override string Description =>
        $"Unenrolls the template from FreeIPA/IdM. Removes:\n{PathList(Patterns.Concat(TrustAnchors))}\n" +
        "Sealer runs no guest programs, so when an IPA CA anchor is removed the clone must run update-ca-trust " +
        "(or update-ca-certificates) to drop it from the compiled bundle; a warning says so.";

    public override void Perform(SealContext context)
    {
        foreach (var pattern in Patterns)
        {
            context.Files.DeleteGlob(pattern);
        }

        var removedAnchor = false;
        foreach (var anchor in TrustAnchors)
        {
            removedAnchor |= context.Files.DeleteIfExists(anchor);
        }

        if (removedAnchor)
        {
            context.Warn("IPA CA certificate removed from the trust anchors; run update-ca-trust (or update-ca-certificates) in the clone");
        }
    }
}
