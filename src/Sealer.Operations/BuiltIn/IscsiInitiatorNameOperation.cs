using Sealer.Guest.Inspection;
using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed class IscsiInitiatorNameOperation : SealOperationBase
{
    private const string NameFile = "/etc/iscsi/initiatorname.iscsi";

    private const string DebianPlaceholder =
        "## Reset by Sealer: iscsid generates a unique InitiatorName on its first start.\n" +
        "## The InitiatorName must be unique for each iSCSI initiator. Do NOT duplicate iSCSI InitiatorNames.\n" +
        "GenerateName=yes\n";

    public override string Name => "iscsi-initiator-name";

    public override string Heading => "Reset the iSCSI initiator name";

    public override string Description =>
        $"Initiator names must be unique; clones sharing one see each other's sessions bounce. On Debian and Ubuntu " +
        $"{NameFile} is reset to the packaged GenerateName=yes placeholder that open-iscsi resolves at first start; " +
        "elsewhere it is removed and iscsi-init.service (Red Hat, SUSE) creates a new one at boot. A fixed name is " +
        "never generated here: every clone would share it.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var text = files.ReadAllText(NameFile);
        if (text is null || !files.IsRegularFile(NameFile) || text.Contains("GenerateName=yes", StringComparison.Ordinal))
        {
            return;
        }

        if (context.Guest.Family == DistroFamily.Debian)
        {
            files.WriteText(NameFile, DebianPlaceholder, FileModes.Regular644);
            return;
        }

        files.DeleteIfExists(NameFile);
        if (!SystemdUnits.Exists(files, "iscsi-init.service"))
        {
            context.Warn($"{NameFile} removed but no iscsi-init.service was found; create one in each clone (iscsi-iname)");
        }
    }
}
