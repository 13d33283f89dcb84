using Sealer.Core.Errors;
using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

/// <summary>A virt-sysprep block-device operation Sealer lists (so selections written for virt-sysprep keep working) but
/// does not perform: it always reports "not applicable".</summary>
internal abstract class UnsupportedDeviceOperation : SealOperationBase
{
    public override bool AppliesTo(GuestInfo guest) => false;

    public override bool EnabledByDefault => false;

    public abstract override string Unsupported { get; }

    public override string? NotApplicableReason(GuestInfo guest) => "not supported: " + Unsupported;

    public override void Perform(SealContext context) =>
        throw new UnsupportedFeatureException($"{Name}: not supported by Sealer");
}
