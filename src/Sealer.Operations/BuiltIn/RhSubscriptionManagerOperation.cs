using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class RhSubscriptionManagerOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/pki/consumer/*",
        "/etc/pki/entitlement/*",
    ];

    public override string Name => "rh-subscription-manager";

    public override string Heading => "Remove the RH subscription manager files";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.RedHat;

    protected override string Why => "Consumer and entitlement certificates register the template with Red Hat; each clone must register itself. Red Hat family only.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
