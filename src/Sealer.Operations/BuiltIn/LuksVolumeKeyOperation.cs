namespace Sealer.Operations.BuiltIn;

/// <summary>Kept on purpose, reported: an encrypted volume's key cannot be changed without rewriting the volume.</summary>
internal sealed class LuksVolumeKeyOperation : SealOperationBase
{
    private const string Crypttab = "/etc/crypttab";

    public override string Name => "luks-volume-key";

    public override string Heading => "Report encrypted volumes whose key every clone shares (kept)";

    public override string Description =>
        $"Every clone of a template with encrypted volumes ({Crypttab}) has the same LUKS volume key, and a key file " +
        "named there unlocks every clone. Sealer does not read or re-encrypt LUKS, so nothing is changed; a warning " +
        "names each entry and its key file (entries keyed from /dev/urandom are new at every boot and not reported): run `cryptsetup reencrypt` (new volume key) and replace key files in each " +
        "clone that needs its own.";

    public override void Perform(SealContext context)
    {
        var lines = GuestFiles.SplitLines(context.Files.ReadAllText(Crypttab) ?? string.Empty);
        for (var i = 0; i < lines.Count; i++)
        {
            var fields = lines[i].Split('#')[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            // A key read from /dev/urandom (swap, /tmp) is new at every boot: nothing is shared.
            if (fields.Length < 2 || (fields.Length >= 3 && fields[2] is "/dev/urandom" or "/dev/random"))
            {
                continue;
            }

            var keyFile = fields.Length >= 3 && fields[2].StartsWith('/') ? $", key file {fields[2]}" : string.Empty;
            context.Warn($"{Crypttab} line {i + 1}: {fields[0]} ({fields[1]}{keyFile}) kept: every clone shares its volume key");
        }
    }
}
