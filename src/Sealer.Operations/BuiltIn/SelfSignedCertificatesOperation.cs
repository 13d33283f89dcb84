using Sealer.Operations.Systemd;

namespace Sealer.Operations.BuiltIn;

internal sealed class SelfSignedCertificatesOperation : SealOperationBase
{
    private const string SnakeoilKey = "/etc/ssl/private/ssl-cert-snakeoil.key";
    private const string SnakeoilCert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    private const string MakeSslCert = "/usr/sbin/make-ssl-cert";
    private const string SnakeoilUnit = "sealer-snakeoil.service";

    /// <summary>Made again by the package's own generator when missing: httpd-init.service (mod_ssl, sscg), cockpit's
    /// cockpit-certificate-ensure (run by cockpit.service), fwupd at daemon start.</summary>
    private static readonly string[] RegeneratedByPackage =
    [
        "/etc/pki/tls/private/localhost.key", "/etc/pki/tls/certs/localhost.crt",
        "/etc/cockpit/ws-certs.d/0-self-signed.cert", "/etc/cockpit/ws-certs.d/0-self-signed.key",
        "/etc/cockpit/ws-certs.d/0-self-signed-ca.pem",
        "/var/lib/fwupd/pki/secret.key", "/var/lib/fwupd/pki/client.pem",
    ];

    private const string SnakeoilUnitText =
        "# Installed by Sealer: the image was sealed without the template's snakeoil key and certificate (CN = its name).\n" +
        "[Unit]\nDescription=Generate the default self-signed TLS certificate (ssl-cert snakeoil)\n" +
        "ConditionPathExists=!" + SnakeoilKey + "\nConditionPathExists=" + MakeSslCert + "\n" +
        "Wants=network-online.target\nAfter=network-online.target cloud-init.service\n" +
        "Before=apache2.service nginx.service postfix.service dovecot.service exim4.service\n\n" +
        "[Service]\nType=oneshot\nExecStart=" + MakeSslCert + " generate-default-snakeoil --force-overwrite\n\n" +
        "[Install]\nWantedBy=multi-user.target\n";

    public override string Name => "self-signed-certs";

    public override string Heading => "Remove self-signed TLS keys made for the template (snakeoil, localhost, cockpit, fwupd)";

    public override string Description =>
        "These key pairs are made once per installation and their certificates name the template; clones sharing " +
        $"them share a private key. Removes Debian/Ubuntu's {SnakeoilKey} and {SnakeoilCert} and installs " +
        $"{SnakeoilUnit}, which runs `make-ssl-cert generate-default-snakeoil --force-overwrite` at boot (before apache2, " +
        "nginx, postfix, dovecot and exim4) when the key is missing; on a guest without systemd a warning says to run it. " +
        $"Removes, where the package itself makes them again when missing:\n{PathList(RegeneratedByPackage)}\n" +
        "Certificates an operator installed under other names are kept.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        var snakeoil = files.DeleteIfExists(SnakeoilKey) | files.DeleteIfExists(SnakeoilCert);
        if (snakeoil)
        {
            if (context.Guest.SystemdVersion is null)
            {
                context.Warn($"{SnakeoilKey} removed; run `make-ssl-cert generate-default-snakeoil --force-overwrite` in each clone before services that use it start");
            }
            else
            {
                SystemdUnits.InstallEnabled(files, SnakeoilUnit, SnakeoilUnitText);
                if (!files.Exists(MakeSslCert))
                {
                    context.Warn($"{MakeSslCert} not found; {SnakeoilUnit} will not run, make the snakeoil certificate in each clone");
                }
            }
        }

        var removed = RegeneratedByPackage.Where(files.DeleteIfExists).ToList();
        if (removed.Any(p => p.StartsWith("/etc/pki/tls/", StringComparison.Ordinal)) && !SystemdUnits.Exists(files, "httpd-init.service"))
        {
            context.Warn("/etc/pki/tls/certs/localhost.crt and its key removed but httpd-init.service (mod_ssl) was not found; " +
                "whatever used them needs a new certificate in each clone (sscg or openssl req -x509)");
        }
    }
}
