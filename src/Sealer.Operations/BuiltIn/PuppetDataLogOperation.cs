namespace Sealer.Operations.BuiltIn;

internal sealed class PuppetDataLogOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/log/puppet/*",
        "/var/lib/puppet/*/*",
        "/var/lib/puppet/*/*/*",
    ];

    public override string Name => "puppet-data-log";

    public override string Heading => "Remove the data and log files of puppet";

    protected override string Why => "Puppet's certificates, reports and logs identify the template's agent.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
