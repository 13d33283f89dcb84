using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class NetNmconnOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns = ["/etc/NetworkManager/system-connections/*.nmconnection"];

    public override string Name => "net-nmconn";

    public override string Heading => "Remove system-local NetworkManager connection profiles (keyfiles)";

    /// <summary>As virt-sysprep: Red Hat family only, where these profiles come from the installer and pin the
    /// template's NIC. Elsewhere they are usually hand-made and only their MAC lines go (net-hwaddr).</summary>
    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.RedHat;

    protected override string Why =>
        "Red Hat family only, as in virt-sysprep: the installer's profiles carry the template's interface and MAC; " +
        "NetworkManager creates a default DHCP profile in the clone. Other distributions keep their profiles and only " +
        "lose MAC bindings (net-hwaddr).";

    protected override IReadOnlyList<string> Globs => Patterns;
}
