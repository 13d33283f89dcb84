namespace Sealer.Operations.BuiltIn;

internal sealed class FlagReconfigurationOperation : SealOperationBase
{
    private const string FlagFile = "/.unconfigured";

    public override string Name => "flag-reconfiguration";

    public override string Heading => "Flag the system for reconfiguration";

    public override bool EnabledByDefault => false;

    public override string Description =>
        $"Off by default. Creates an empty {FlagFile}, which old Red Hat initscripts read to run the first-boot " +
        "reconfiguration; current distributions ignore it.";

    public override void Perform(SealContext context) => context.Files.WriteText(FlagFile, string.Empty, FileModes.Regular644);
}
