using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class InsightsClientOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/etc/insights-client/machine-id",
        "/etc/insights-client/.registered",
        "/etc/insights-client/.unregistered",
        "/etc/insights-client/.lastupload",
        "/etc/insights-client/.last-upload.results",
        "/var/lib/insights/*",
    ];

    public override string Name => "insights-client";

    public override string Heading => "Remove the Red Hat Insights registration";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.RedHat;

    protected override string Why =>
        "Insights identifies the system by its machine-id file: clones sharing it report as one host and overwrite " +
        "each other's data. Each clone registers again (insights-client --register, or rhc connect). Red Hat family " +
        "only; insights-client.conf is kept.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
