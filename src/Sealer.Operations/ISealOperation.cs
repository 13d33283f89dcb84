using Sealer.Guest.Inspection;

namespace Sealer.Operations;

/// <summary>
/// One sealing step, in the shape of a virt-sysprep operation: self-describing, selected by name, run in
/// (<see cref="Order"/>, <see cref="Name"/>) order over the guest root.
/// </summary>
public interface ISealOperation
{
    /// <summary>kebab-case, identical to virt-sysprep's where virt-sysprep has the operation.</summary>
    string Name { get; }

    /// <summary>One line, no trailing period (shown by --list-operations).</summary>
    string Heading { get; }

    /// <summary>What the operation does, which paths it touches and why (plain text, may span lines).</summary>
    string Description { get; }

    bool EnabledByDefault { get; }

    /// <summary>Run order key; operations run sorted by (Order, Name). 0 for most.</summary>
    int Order { get; }

    /// <summary>False means the operation is reported as not applicable and <see cref="Perform"/> is not called.</summary>
    bool AppliesTo(GuestInfo guest);

    /// <summary>Why the operation does nothing on this guest (shown in the report), or null when it applies.</summary>
    string? NotApplicableReason(GuestInfo guest) => AppliesTo(guest) ? null : "not for this guest";

    /// <summary>Non-null when Sealer never performs the operation (listed for virt-sysprep compatibility only): the
    /// reason, shown by --list-operations and in the report.</summary>
    string? Unsupported => null;

    /// <summary>Changes the guest through <see cref="SealContext.Files"/> only. Throws a SealerException on failure.</summary>
    void Perform(SealContext context);
}
