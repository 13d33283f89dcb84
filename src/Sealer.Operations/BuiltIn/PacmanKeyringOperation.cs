using Sealer.Guest.Inspection;
using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed class PacmanKeyringOperation : SealOperationBase
{
    private const string Keyring = "/etc/pacman.d/gnupg";
    private const string PacmanKey = "/usr/bin/pacman-key";
    private const string InitUnit = "sealer-pacman-init.service";

    private const string InitUnitText =
        "# Installed by Sealer: the image was sealed without the template's pacman keyring (its local signing key).\n" +
        "[Unit]\nDescription=Initialize the pacman keyring\n" +
        "ConditionPathExists=!" + Keyring + "/trustdb.gpg\nConditionPathExists=" + PacmanKey + "\n" +
        "After=systemd-random-seed.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + PacmanKey + " --init\nExecStart=" + PacmanKey + " --populate\n\n" +
        "[Install]\nWantedBy=multi-user.target\n";

    public override string Name => "pacman-keyring";

    public override string Heading => "Remove the pacman keyring (its private signing key) and initialize it at boot";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.Arch;

    public override string Description =>
        $"`pacman-key --init` makes a private key in {Keyring}/ that locally signs the trusted packager keys: clones " +
        $"sharing it share the key that decides which packages they trust. Removes {Keyring}/ and installs {InitUnit}, " +
        "which runs `pacman-key --init` and `pacman-key --populate` at boot when the keyring is missing (as Arch's own " +
        "images do). Without systemd a warning says to run them. Arch only.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        if (!files.DeleteTree(Keyring))
        {
            return;
        }

        if (context.Guest.SystemdVersion is null)
        {
            context.Warn($"{Keyring} removed; run `pacman-key --init && pacman-key --populate` in each clone before using pacman");
            return;
        }

        SystemdUnits.InstallEnabled(files, InitUnit, InitUnitText);
    }
}
