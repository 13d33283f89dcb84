using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class RpmDbOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/rpm/__db.*",
    ];

    public override string Name => "rpm-db";

    public override string Heading => "Remove host-specific RPM database files";

    public override bool AppliesTo(GuestInfo guest) => guest.Family is DistroFamily.RedHat or DistroFamily.Suse;

    protected override string Why => "Berkeley DB environment and lock files of the RPM database are rebuilt on demand. RPM-based guests only.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
