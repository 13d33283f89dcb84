namespace Sealer.Operations.BuiltIn;

internal sealed class NtpDriftOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/chrony/drift",
        "/var/lib/chrony/chrony.drift",
        "/var/lib/chrony/rtc",
        "/var/lib/chrony/*.nts",
        "/var/lib/ntp/ntp.drift",
        "/var/lib/ntp/drift",
        "/var/lib/ntpsec/ntp.drift",
    ];

    public override string Name => "ntp-drift";

    public override string Heading => "Remove chrony's and ntpd's drift files and NTS state";

    protected override string Why =>
        "The drift file is the frequency error of the template's clock; a clone on other hardware would start by " +
        "steering its clock with it, and chrony's NTS dump holds the template's cookies and keys. chronyd and ntpd " +
        "measure afresh when the files are missing.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
