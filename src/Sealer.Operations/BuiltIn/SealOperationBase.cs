using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

/// <summary>Defaults shared by the built-in operations: enabled, order 0, applies to every Linux guest.</summary>
internal abstract class SealOperationBase : ISealOperation
{
    public abstract string Name { get; }

    public abstract string Heading { get; }

    public abstract string Description { get; }

    public virtual bool EnabledByDefault => true;

    public virtual int Order => 0;

    public virtual bool AppliesTo(GuestInfo guest) => true;

    public virtual string? NotApplicableReason(GuestInfo guest) =>
        AppliesTo(guest) ? null : $"not for the {(guest.Family == DistroFamily.Unknown ? "unknown" : guest.Family.ToString())} family";

    public virtual string? Unsupported => null;

    public abstract void Perform(SealContext context);

    /// <summary>Indented list of paths for descriptions, so the text cannot drift from the data that drives the code.</summary>
    protected static string PathList(IEnumerable<string> paths) => "  " + string.Join("\n  ", paths);
}
