namespace Sealer.Guest.Inspection;

/// <summary>One parsed line of the guest's /etc/fstab (fields decoded: \040 and other octal escapes).</summary>
internal sealed record FstabEntry(int LineNumber, string Spec, string MountPoint, string Type, string Options)
{
    public IReadOnlyList<string> OptionList => Options.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool NoAuto => OptionList.Contains("noauto");

    public bool IsBind => OptionList.Any(o => o is "bind" or "rbind");
}
