namespace Sealer.Operations.BuiltIn;

/// <summary>systemd's image guidance: drop the seed so clones do not start with identical entropy (virt-sysprep refills it).</summary>
internal sealed class RandomSeedOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/lib/systemd/random-seed",
        "/var/lib/systemd/credential.secret",
        "/var/lib/random-seed",
        "/var/lib/urandom/random-seed",
        "/var/lib/misc/random-seed",
        "/etc/random-seed",
        "/var/lib/seedrng/seed.credit",
        "/var/lib/seedrng/seed.no-credit",

        // systemd-boot's seed on the ESP, where the ESP is mounted (systemd's BUILDING_IMAGES.md: reset it too).
        "/boot/loader/random-seed",
        "/efi/loader/random-seed",
        "/boot/efi/loader/random-seed",
    ];

    public override string Name => "random-seed";

    public override string Heading => "Remove the saved random seeds and the systemd credential secret";

    /// <summary>Late, like machine-id: nothing after it writes a seed.</summary>
    public override int Order => 90;

    protected override string Why =>
        "Every clone would otherwise seed its random pool from the same file. Nothing is written in their place: the " +
        "seed services create fresh ones at boot, and systemd-creds makes a new credential.secret on demand (credentials " +
        "encrypted in the template with the old secret can no longer be decrypted).";

    protected override IReadOnlyList<string> Globs => Patterns;
}
