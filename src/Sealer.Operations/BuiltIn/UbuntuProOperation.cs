using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class UbuntuProOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/ubuntu-advantage/private/*",
        "/var/lib/ubuntu-advantage/machine-id",
        "/etc/apt/auth.conf.d/90ubuntu-advantage",
        "/var/lib/landscape/client/*",
    ];

    public override string Name => "ubuntu-pro";

    public override string Heading => "Detach the template from Ubuntu Pro and Landscape (machine token, Pro machine ID, apt credentials)";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.Debian;

    protected override string Why =>
        "The machine token attaches one machine to the Pro contract: clones sharing it share that machine's " +
        "entitlements and show up as one machine. Removing it is the local half of `pro detach`: the clone is " +
        "unattached and attaches itself (`pro attach`, or ubuntu-advantage-pro's auto-attach on cloud Pro images). The " +
        "template's contract seat is not released. Landscape's client state holds the computer's secure ID: clones would " +
        "report as the template; the client registers again from /etc/landscape/client.conf (kept). Debian family " +
        "(Ubuntu) only; other apt credentials are kept.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
