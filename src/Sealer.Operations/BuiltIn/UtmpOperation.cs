namespace Sealer.Operations.BuiltIn;

internal sealed class UtmpOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/run/utmp",
    ];

    public override string Name => "utmp";

    public override string Heading => "Remove the utmp file";

    protected override string Why => "utmp lists sessions that were open on the template.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
