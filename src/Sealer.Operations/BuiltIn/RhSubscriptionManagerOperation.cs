using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class RhSubscriptionManagerOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/pki/consumer/*",
        "/etc/pki/entitlement/*",
        "/var/lib/rhsm/facts/*",
        "/var/lib/rhsm/cache/*",
        "/var/lib/rhsm/syspurpose/*",
        "/var/lib/rhsm/packages/*",
    ];

    public override string Name => "rh-subscription-manager";

    public override string Heading => "Remove the RH subscription manager files";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.RedHat;

    protected override string Why => "Consumer and entitlement certificates register the template with Red Hat; each clone must register itself. " +
        "rhsm's collected facts (host name, DMI UUID) and caches describe the template and would be sent for the clone. " +
        "Red Hat family only; /etc/rhsm (configuration and custom facts) is kept.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
