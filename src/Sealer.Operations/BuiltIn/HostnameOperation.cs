using System.Text.RegularExpressions;
using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed partial class HostnameOperation : SealOperationBase
{
    public const string Default = "localhost";

    public override string Name => "hostname";

    public override string Heading => "Reset the hostname to localhost (or to --hostname)";

    public override string Description =>
        $"Writes the new name (default {Default}) to /etc/hostname, to /etc/HOSTNAME (SUSE) and to HOSTNAME= in " +
        "/etc/sysconfig/network where they exist; drops PRETTY_HOSTNAME from /etc/machine-info. In /etc/hosts, the " +
        $"127.0.1.1 line names the new host (it is removed when the name is {Default}) and the old name is removed from " +
        "other lines (the template's own address), a line left without names is dropped. DHCP or cloud-init can then " +
        "name each clone.\nThe template's name outside these files (a value whose first label is the template's first " +
        $"label) goes too: {MailnameFile} is removed and {MailnameUnit} writes it from the clone's name at boot (with " +
        $"--hostname it gets the new name instead; a mail domain such as example.net is kept), postfix's myhostname line in {PostfixMain} is dropped " +
        "(postfix then uses the clone's name), SUSE's POSTFIX_MYHOSTNAME in /etc/sysconfig/postfix is emptied and the " +
        $"netbios name line of {SambaConf} is dropped (Samba then uses the clone's name).";

    private const string MailnameFile = "/etc/mailname";
    private const string MailnameUnit = "sealer-mailname.service";
    private const string PostfixMain = "/etc/postfix/main.cf";
    private const string SambaConf = "/etc/samba/smb.conf";

    private const string MailnameUnitText =
        "# Installed by Sealer: the image was sealed without the template's /etc/mailname; write the clone's.\n" +
        "[Unit]\nDescription=Write /etc/mailname from the host name\nConditionPathExists=!/etc/mailname\n" +
        "Wants=network-online.target\nAfter=network-online.target cloud-init.service systemd-hostnamed.service\n" +
        "Before=postfix.service exim4.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'hostname --fqdn > /etc/mailname 2>/dev/null || hostname > /etc/mailname'\n\n" +
        "[Install]\nWantedBy=multi-user.target\n";

    public override void Perform(SealContext context)
    {
        var name = context.Options.Hostname ?? Default;
        if (!IsValid(name))
        {
            throw new SealOptionException($"--hostname: '{name}' is not a valid host name (RFC 1123)");
        }

        var files = context.Files;
        var old = files.ReadAllText("/etc/hostname")?.Trim();
        if (files.Exists("/etc/hostname") || context.Options.Hostname is not null)
        {
            files.WriteText("/etc/hostname", name + "\n", FileModes.Regular644);
        }

        if (files.IsRegularFile("/etc/HOSTNAME"))
        {
            files.WriteText("/etc/HOSTNAME", name + "\n", FileModes.Regular644);
        }

        files.RewriteLines("/etc/sysconfig/network", line => line.StartsWith("HOSTNAME=", StringComparison.Ordinal) ? $"HOSTNAME={name}" : line);
        files.RewriteLines("/etc/machine-info", line => line.StartsWith("PRETTY_HOSTNAME=", StringComparison.Ordinal) ? null : line);
        files.RewriteLines("/etc/hosts", line => EtcHostsLine.Rewrite(line, old ?? context.Guest.Hostname, name));
        if (TemplateName.From(old ?? context.Guest.Hostname) is { } template)
        {
            ResetOtherNames(context, template, name);
        }
    }

    private static void ResetOtherNames(SealContext context, TemplateName template, string name)
    {
        var files = context.Files;
        if (files.IsRegularFile(MailnameFile) && template.Names(files.ReadAllText(MailnameFile) ?? string.Empty))
        {
            if (context.Options.Hostname is not null)
            {
                files.WriteText(MailnameFile, name + "\n", FileModes.Regular644);
            }
            else
            {
                files.DeleteIfExists(MailnameFile);
                if (context.Guest.SystemdVersion is null)
                {
                    context.Warn($"{MailnameFile} removed (it named the template); write the clone's mail name there before starting the mail server");
                }
                else
                {
                    SystemdUnits.InstallEnabled(files, MailnameUnit, MailnameUnitText);
                }
            }
        }

        files.RewriteLines(PostfixMain, line => KeyValue(line, "myhostname", '=') is { } v && template.Names(v) ? null : line);
        files.RewriteLines("/etc/sysconfig/postfix", line =>
            KeyValue(line, "POSTFIX_MYHOSTNAME", '=') is { Length: > 0 } v && template.Names(v) ? "POSTFIX_MYHOSTNAME=\"\"" : line);
        files.RewriteLines(SambaConf, line => KeyValue(line, "netbios name", '=', ignoreCase: true) is { } v && template.Names(v) ? null : line);
    }

    /// <summary>The value of a "key = value" line (blanks around '=' allowed, quotes kept), or null for other lines.</summary>
    private static string? KeyValue(string line, string key, char separator, bool ignoreCase = false)
    {
        var trimmed = line.TrimStart();
        var at = trimmed.IndexOf(separator, StringComparison.Ordinal);
        if (at <= 0 || !string.Equals(trimmed[..at].TrimEnd(), key, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            return null;
        }

        return trimmed[(at + 1)..].Trim().Trim('"', '\'');
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most.</summary>
    public static bool IsValid(string name) => name.Length <= 253 && ValidHostname().IsMatch(name);

    [GeneratedRegex("^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex ValidHostname();
}
