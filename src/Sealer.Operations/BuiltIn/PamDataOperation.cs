namespace Sealer.Operations.BuiltIn;

internal sealed class PamDataOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/run/console/*",
        "/var/run/faillock/*",
        "/var/run/sepermit/*",
    ];

    public override string Name => "pam-data";

    public override string Heading => "Remove the PAM data in the guest";

    protected override string Why => "PAM's console, faillock and sepermit state belongs to the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
