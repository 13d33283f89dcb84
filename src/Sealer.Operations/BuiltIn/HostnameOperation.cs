using System.Text.RegularExpressions;

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
        "other loopback lines. DHCP or cloud-init can then name each clone.";

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
    }

    /// <summary>RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 characters at most.</summary>
    public static bool IsValid(string name) => name.Length <= 253 && ValidHostname().IsMatch(name);

    [GeneratedRegex("^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex ValidHostname();
}
