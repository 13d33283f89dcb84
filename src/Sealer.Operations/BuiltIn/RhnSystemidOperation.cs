using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class RhnSystemidOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/sysconfig/rhn/systemid",
        "/etc/sysconfig/rhn/osad-auth.conf",
    ];

    public override string Name => "rhn-systemid";

    public override string Heading => "Remove the RHN system ID";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.RedHat;

    protected override string Why => "The RHN system ID registers the template. Red Hat family only.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
