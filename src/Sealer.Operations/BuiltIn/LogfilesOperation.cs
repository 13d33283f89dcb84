namespace Sealer.Operations.BuiltIn;

/// <summary>virt-sysprep's logfiles glob list, plus a few Debian/SUSE/Azure paths it misses.</summary>
internal sealed class LogfilesOperation : DeleteGlobsOperation
{
    private static readonly string[] Patterns =
    [
        "/var/log/*.log*", "/var/log/audit/*", "/var/log/btmp*", "/var/log/cron*", "/var/log/dmesg*",
        "/var/log/lastlog*", "/var/log/maillog*", "/var/log/mail/*", "/var/log/messages*", "/var/log/secure*",
        "/var/log/spooler*", "/var/log/tallylog*", "/var/log/wtmp*", "/var/log/apache2/*_log", "/var/log/apache2/*_log-*",
        "/var/log/ntp", "/var/log/tuned/tuned.log", "/var/log/debug*", "/var/log/syslog*", "/var/log/faillog*",
        "/var/log/firewalld*", "/var/log/grubby*", "/var/log/xferlog*", "/var/log/BackupPC/LOG", "/var/log/ceph/*.log",
        "/var/log/chrony/*.log", "/var/log/cups/*_log*", "/var/log/glusterfs/*glusterd.vol.log", "/var/log/glusterfs/glusterfs.log",
        "/var/log/httpd/*log", "/var/log/jetty/jetty-console.log", "/var/log/libvirt/libxl/*.log", "/var/log/libvirt/lxc/*.log",
        "/var/log/libvirt/qemu/*.log", "/var/log/libvirt/uml/*.log", "/var/log/libvirt/libvirtd.log", "/var/named/data/named.run",
        "/var/log/ppp/connect-errors", "/var/log/setroubleshoot/*.log", "/var/log/squid/*.log", "/var/lib/logrotate.status",
        "/root/install.log", "/root/install.log.syslog", "/root/anaconda-ks.cfg", "/root/anaconda-post.log",
        "/root/initial-setup-ks.cfg", "/root/original-ks.cfg", "/var/log/anaconda.syslog", "/var/log/anaconda/*",
        "/var/log/installer/*", "/var/cache/gdm/*", "/var/lib/AccountService/users/*", "/var/lib/AccountsService/users/*",
        "/var/lib/fprint/*", "/var/cache/fontconfig/*", "/var/cache/man/*", "/var/log/sa/*", "/var/log/gdm/*",
        "/var/log/lightdm/*", "/var/log/ntpstats/*", "/etc/Pegasus/*.cnf", "/etc/Pegasus/*.crt", "/etc/Pegasus/*.csr",
        "/etc/Pegasus/*.pem", "/etc/Pegasus/*.srl", "/var/log/rhsm/*", "/var/log/journal/*", "/var/log/aptitude*",
        "/var/log/apt/*", "/var/log/exim4/*", "/var/log/ConsoleKit/*",

        // Beyond virt-sysprep: rotated mail logs, sysstat, distro installers and agents.
        "/var/log/mail.err*", "/var/log/mail.info*", "/var/log/mail.warn*", "/var/log/sysstat/*", "/var/log/dist-upgrade/*",
        "/var/log/unattended-upgrades/*", "/var/log/landscape/*", "/var/log/azure/*", "/var/log/zypp/*", "/var/log/YaST2/*",
        "/var/log/private/*",

        // Installer profiles carrying the root password hash (AutoYaST's clone), and rsyslog's cursor into the
        // template's journal (which is removed above; rsyslog starts from the new journal's head without it).
        "/root/autoinst.xml", "/var/lib/rsyslog/imjournal.state",
    ];

    public override string Name => "logfiles";

    public override string Heading => "Remove many log files from the guest";

    protected override string Why =>
        "Logs describe the template's life (and the journal directory is named after its machine ID). Files are removed, " +
        "not truncated; journald, rsyslog and systemd-tmpfiles recreate what they need (wtmp, btmp, lastlog) at boot.";

    protected override IReadOnlyList<string> Globs => Patterns;
}
