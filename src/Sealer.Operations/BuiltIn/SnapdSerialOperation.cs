using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

/// <summary>Kept on purpose, reported: there is no offline way to drop only the serial.</summary>
internal sealed class SnapdSerialOperation : SealOperationBase
{
    private const string State = "/var/lib/snapd/state.json";
    private const string DeviceKeys = "/var/lib/snapd/device/private-keys-v1";

    public override string Name => "snapd-serial";

    public override string Heading => "Report snapd's device serial and key (kept: no offline reset)";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.Debian;

    public override string Description =>
        $"snapd registers each machine with the store under a serial whose assertion lives in {State} next to the " +
        $"state of every installed snap, signed with a key in {DeviceKeys}/. Clones share that serial. Removing the " +
        "state would drop every installed snap's state, and removing only the key leaves snapd unable to sign with " +
        "the serial it still has, so both are kept and a warning names them. Debian family (Ubuntu) only; changes nothing.";

    public override void Perform(SealContext context)
    {
        var text = context.Files.ReadAllText(State);
        if (text is not null && text.Contains("\"serial\"", StringComparison.Ordinal))
        {
            context.Warn($"{State} kept: it holds the template's snapd device serial (key in {DeviceKeys}/); clones share " +
                "it in the store until snapd re-registers them");
        }
    }
}
