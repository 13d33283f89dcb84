namespace Sealer.Operations.BuiltIn;

/// <summary>The template's host name as it appears in other files: the name itself, or any name whose first label is
/// its first label (the FQDN in /etc/mailname or postfix's myhostname, the upper-case NetBIOS name).</summary>
internal sealed class TemplateName
{
    private readonly string _short;

    private TemplateName(string name) => _short = name.Split('.')[0];

    /// <summary>Null when there is no template name worth looking for (absent, empty, or already the default).</summary>
    public static TemplateName? From(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim() == HostnameOperation.Default || name.Trim().StartsWith("localhost", StringComparison.Ordinal)
            ? null
            : new TemplateName(name.Trim());

    public bool Names(string value)
    {
        var label = value.Trim().Trim('"', '\'').Split('.')[0];
        return label.Length > 0 && string.Equals(label, _short, StringComparison.OrdinalIgnoreCase);
    }
}
