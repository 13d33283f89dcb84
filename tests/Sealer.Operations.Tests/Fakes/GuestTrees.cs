using Sealer.Guest.Inspection;

namespace Sealer.Operations.Tests.Fakes;

/// <summary>Small guest trees shaped like real distributions (only the files the operations care about).</summary>
public static class GuestTrees
{
    public const string OldMachineId = "4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f\n";

    /// <summary>Files every systemd distribution has.</summary>
    private static InMemoryFileSystem Common(string hostname)
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/machine-id", OldMachineId, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
            .AddFile("/etc/hostname", hostname + "\n")
            .AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n")
            .AddFile("/etc/ssh/sshd_config", "PermitRootLogin no\n")
            .AddFile("/etc/ssh/ssh_host_rsa_key", "RSA PRIVATE", UnixFileMode.UserRead | UnixFileMode.UserWrite)
            .AddFile("/etc/ssh/ssh_host_rsa_key.pub", "ssh-rsa AAAA root@template\n")
            .AddFile("/etc/ssh/ssh_host_ed25519_key", "ED25519 PRIVATE", UnixFileMode.UserRead | UnixFileMode.UserWrite)
            .AddFile("/etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAA root@template\n")
            .AddFile("/etc/ssh/ssh_host_ed25519_key-cert.pub", "cert\n")
            .AddFile("/var/lib/systemd/random-seed", new string('r', 512))
            .AddFile("/var/lib/systemd/credential.secret", new string('c', 32))
            .AddFile("/var/log/journal/4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f/system.journal", new string('j', 100))
            .AddFile("/var/log/wtmp", new string('w', 384))
            .AddFile("/var/log/btmp", string.Empty)
            .AddFile("/var/log/lastlog", new string('l', 292))
            .AddFile("/root/.bash_history", "export SECRET=hunter2\n")
            .AddFile("/home/alice/.bash_history", "ls\n")
            .AddFile("/home/alice/.zsh_history", ": 1:0;ls\n")
            .AddFile("/home/alice/.python_history", "import os\n")
            .AddFile("/home/alice/.ssh/authorized_keys", "ssh-ed25519 AAAA alice\n")
            .AddFile("/home/alice/notes.txt", "keep me\n")
            .AddFile("/tmp/build.sh", "#!/bin/sh\n")
            .AddFile("/tmp/.hidden", "x")
            .AddDirectory("/tmp/.X11-unix")
            .AddFile("/var/tmp/systemd-private-abc/tmp/f", "x")
            .AddDirectory("/run")
            .AddSymlink("/var/run", "../run")
            .AddFile("/usr/bin/ssh-keygen", "ELF")
            .AddFile("/etc/systemd/system/multi-user.target.wants/placeholder", string.Empty);
        return fs;
    }

    public static (InMemoryFileSystem Fs, GuestInfo Guest) Debian12()
    {
        var fs = Common("deb12")
            .AddFile("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
            .AddSymlink("/var/lib/dbus/machine-id", "/etc/machine-id")
            .AddFile("/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\tdeb12.example.org deb12\n\n# IPv6\n::1 localhost ip6-localhost\n")
            .AddFile("/etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\n")
            .AddFile("/var/lib/dhcp/dhclient.eth0.leases", "lease { fixed-address 10.0.0.5; }\n")
            .AddFile("/usr/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n")
            .AddFile("/usr/lib/systemd/system/systemd-networkd.service", "[Unit]\n")
            .AddFile("/usr/lib/systemd/system/systemd-networkd-wait-online.service", "[Unit]\n")
            .AddFile("/usr/lib/systemd/system/systemd-resolved.service", "[Unit]\n")
            .AddFile("/usr/lib/systemd/system-preset/90-systemd.preset",
                "# upstream defaults\nenable remote-fs.target\nenable systemd-networkd.service\nenable systemd-networkd-wait-online.service\n" +
                "enable systemd-timesyncd.service\ndisable systemd-resolved.service\n")
            .AddFile("/usr/lib/systemd/system-preset/99-default.preset", "disable *\n")
            .AddSymlink("/etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service")
            .AddSymlink("/etc/systemd/system/multi-user.target.wants/networking.service", "/lib/systemd/system/networking.service")
            .AddFile("/var/log/syslog", "boot\n")
            .AddFile("/var/log/syslog.1", "old boot\n")
            .AddFile("/var/log/dpkg.log", "install\n")
            .AddFile("/var/log/apt/history.log", "apt\n")
            .AddFile("/var/log/installer/syslog", "d-i\n")
            .AddFile("/var/cache/apt/archives/vim_9.0_amd64.deb", new string('d', 1000))
            .AddFile("/var/cache/apt/archives/lock", string.Empty)
            .AddDirectory("/var/cache/apt/archives/partial")
            .AddFile("/var/cache/apt/pkgcache.bin", "keep")
            .AddFile("/etc/iscsi/initiatorname.iscsi", "## DO NOT EDIT\nInitiatorName=iqn.1993-08.org.debian:01:abcdef012345\n")
            .AddFile("/var/log/account/pacct", "acct", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)
            .AddFile("/var/log/account/pacct.0", "old acct")
            .AddFile("/var/spool/cron/crontabs/alice", "* * * * * true\n")
            .AddFile("/var/spool/cron/atjobs/.SEQ", "0002a\n")
            .AddFile("/var/spool/cron/atjobs/a0001", "job\n")
            .AddFile("/etc/fstab.bak", "old\n")
            .AddFile("/etc/default/grub~", "old\n")
            .AddFile("/etc/shadow-", "backup\n")
            .AddFile("/etc/krb5.keytab", "keytab");
        var guest = new GuestInfo
        {
            DistroId = "debian", VersionId = "12", Family = DistroFamily.Debian, SystemdVersion = 252,
            HasSshServer = true, HasCloudInit = false, NetworkStacks = NetworkStacks.Ifupdown, Hostname = "deb12",
        };
        return (fs, guest);
    }

    public const string UbuntuNetplan =
        "# This file is generated from information provided by the datasource.\n" +
        "network:\n    ethernets:\n        enp1s0:\n            dhcp4: true\n            match:\n" +
        "                macaddress: 52:54:00:12:34:56\n            set-name: enp1s0\n    version: 2\n";

    public static (InMemoryFileSystem Fs, GuestInfo Guest) Ubuntu2404()
    {
        var fs = Common("ubuntu")
            .AddFile("/etc/os-release", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n")
            .AddSymlink("/var/lib/dbus/machine-id", "/etc/machine-id")
            .AddFile("/etc/hosts", "127.0.0.1 localhost\n\n::1 ip6-localhost ip6-loopback\n")
            .AddFile("/etc/netplan/50-cloud-init.yaml", UbuntuNetplan)
            .AddFile("/etc/netplan/60-static.yaml",
                "network:\n  version: 2\n  ethernets:\n    lan:\n      match: {macaddress: \"52:54:00:aa:bb:cc\"}\n      set-name: lan0\n      addresses: [10.1.0.5/24]\n")
            .AddFile("/etc/cloud/cloud.cfg", "datasource_list: [ NoCloud, None ]\n")
            .AddFile("/var/lib/cloud/instances/iid-template/obj.pkl", "pickle")
            .AddSymlink("/var/lib/cloud/instance", "/var/lib/cloud/instances/iid-template")
            .AddFile("/var/lib/cloud/data/instance-id", "iid-template\n")
            .AddFile("/var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-template\n")
            .AddFile("/var/lib/cloud/seed/nocloud/user-data", "#cloud-config\n")
            .AddFile("/var/log/cloud-init.log", "ci log\n")
            .AddFile("/var/log/cloud-init-output.log", "ci output\n")
            .AddFile("/var/log/cloud-init.log.1", "rotated\n")
            .AddFile("/usr/lib/systemd/system/ssh.service", "[Service]\n")
            .AddFile("/usr/lib/systemd/system/ssh.socket", "[Socket]\n");
        var guest = new GuestInfo
        {
            DistroId = "ubuntu", IdLike = ["debian"], VersionId = "24.04", Family = DistroFamily.Debian, SystemdVersion = 255,
            HasSshServer = true, HasCloudInit = true, NetworkStacks = NetworkStacks.Netplan | NetworkStacks.Networkd, Hostname = "ubuntu",
        };
        return (fs, guest);
    }

    public static (InMemoryFileSystem Fs, GuestInfo Guest) Rhel9()
    {
        var fs = Common("rhel9.example.com")
            .AddFile("/etc/os-release", "ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\n")
            .AddFile("/var/lib/dbus/machine-id", OldMachineId)
            .AddFile("/etc/hosts", "127.0.0.1   localhost localhost.localdomain rhel9.example.com rhel9\n::1         localhost6\n")
            .AddFile("/etc/NetworkManager/system-connections/enp1s0.nmconnection",
                "[connection]\nid=enp1s0\nuuid=6b1b3c56-1f6c-4a3c-9a9a-0d1f2f0a4b11\ntype=ethernet\ninterface-name=enp1s0\n\n" +
                "[ethernet]\nmac-address=52:54:00:12:34:56\n\n[ipv4]\nmethod=auto\n",
                UnixFileMode.UserRead | UnixFileMode.UserWrite)
            .AddFile("/etc/sysconfig/network-scripts/ifcfg-eth0",
                "DEVICE=eth0\nHWADDR=52:54:00:12:34:56\nUUID=0a1b2c3d\nHOSTNAME=rhel9\nDHCP_HOSTNAME=rhel9\nBOOTPROTO=dhcp\n")
            .AddFile("/var/lib/NetworkManager/secret_key", new string('k', 32))
            .AddFile("/var/lib/NetworkManager/internal-6b1b3c56-enp1s0.lease", "ADDRESS=10.0.0.7\n")
            .AddFile("/var/lib/NetworkManager/timestamps", "[timestamps]\n")
            .AddFile("/var/lib/NetworkManager/seen-bssids", "[seen-bssids]\n")
            .AddFile("/var/lib/NetworkManager/NetworkManager.state", "[main]\nNetworkingEnabled=true\n")
            .AddFile("/usr/lib/systemd/system/sshd.service", "[Service]\n")
            .AddFile("/usr/lib/systemd/system/sshd-keygen@.service", "[Service]\n")
            .AddFile("/usr/lib/systemd/system/iscsi-init.service", "[Service]\n")
            .AddFile("/etc/iscsi/initiatorname.iscsi", "InitiatorName=iqn.1994-05.com.redhat:0123456789ab\n")
            .AddFile("/var/lib/rpm/__db.001", "db")
            .AddFile("/var/lib/rpm/rpmdb.sqlite", "keep")
            .AddFile("/var/cache/dnf/baseos-1234/repodata/primary.xml.gz", "xml")
            .AddFile("/var/lib/yum/uuid", "uuid\n")
            .AddFile("/etc/pki/consumer/cert.pem", "cert")
            .AddFile("/etc/pki/entitlement/1.pem", "ent")
            .AddFile("/etc/lvm/devices/system.devices", "IDTYPE=sys_wwid\n")
            .AddFile("/root/anaconda-ks.cfg", "kickstart\n")
            .AddFile("/var/log/messages", "boot\n")
            .AddFile("/var/log/secure", "auth\n")
            .AddFile("/var/log/audit/audit.log", "audit\n")
            .AddFile("/var/log/dnf.log", "dnf\n")
            .AddFile("/var/account/pacct", "acct");
        var guest = new GuestInfo
        {
            DistroId = "rhel", IdLike = ["fedora"], VersionId = "9.4", Family = DistroFamily.RedHat, SystemdVersion = 252,
            HasSshServer = true, NetworkStacks = NetworkStacks.NetworkManager | NetworkStacks.Ifcfg, Hostname = "rhel9.example.com",
        };
        return (fs, guest);
    }

    public static (InMemoryFileSystem Fs, GuestInfo Guest) OpenSuse()
    {
        var fs = Common("suse")
            .AddFile("/etc/os-release", "ID=\"opensuse-leap\"\nVERSION_ID=\"15.6\"\n")
            .AddFile("/etc/HOSTNAME", "suse\n")
            .AddFile("/etc/hosts", "127.0.0.1 localhost\n")
            .AddFile("/etc/sysconfig/network/ifcfg-eth0", "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n")
            .AddFile("/var/lib/wicked/duid.xml", "<duid/>")
            .AddFile("/var/lib/wicked/iaid.xml", "<iaid/>")
            .AddFile("/var/lib/wicked/lease-eth0-dhcp-ipv4.xml", "<lease/>")
            .AddFile("/usr/lib/systemd/system/sshd.service", "[Service]\n")
            .AddFile("/usr/lib/systemd/system/sshd-gen-keys-start.service", "[Service]\n")
            .AddFile("/var/lib/misc/random-seed", "seed")
            .AddFile("/var/cache/zypp/packages/repo-oss/x86_64/vim.rpm", "rpm")
            .AddFile("/var/log/zypper.log", "zypper\n");
        var guest = new GuestInfo
        {
            DistroId = "opensuse-leap", VersionId = "15.6", Family = DistroFamily.Suse, SystemdVersion = 254,
            HasSshServer = true, NetworkStacks = NetworkStacks.Wicked, Hostname = "suse",
        };
        return (fs, guest);
    }

    public static (InMemoryFileSystem Fs, GuestInfo Guest) Arch()
    {
        var fs = Common("archlinux")
            .AddFile("/etc/os-release", "ID=arch\n")
            .AddFile("/etc/hosts", "127.0.0.1 localhost\n")
            .AddFile("/etc/systemd/network/20-wired.network", "[Match]\nName=en*\n\n[Network]\nDHCP=yes\n")
            .AddFile("/etc/systemd/network/30-pinned.network", "[Match]\nMACAddress=52:54:00:12:34:56\n\n[Network]\nDHCP=yes\n")
            .AddFile("/etc/dhcpcd.duid", "00:01:00:01\n")
            .AddFile("/var/lib/dhcpcd/eth0.lease", "lease")
            .AddFile("/usr/lib/systemd/system/sshd.service", "[Service]\n")
            .AddFile("/usr/lib/systemd/system/sshdgenkeys.service", "[Service]\nExecStart=/usr/bin/ssh-keygen -A\n")
            .AddFile("/var/cache/pacman/pkg/vim-9.1-1-x86_64.pkg.tar.zst", "pkg")
            .AddFile("/var/log/pacman.log", "pacman\n");
        var guest = new GuestInfo
        {
            DistroId = "arch", Family = DistroFamily.Arch, SystemdVersion = 256, HasSshServer = true,
            NetworkStacks = NetworkStacks.Networkd, Hostname = "archlinux",
        };
        return (fs, guest);
    }

    public static (InMemoryFileSystem Fs, GuestInfo Guest) Alpine()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/os-release", "ID=alpine\nVERSION_ID=3.20.0\n")
            .AddFile("/etc/hostname", "alpine\n")
            .AddFile("/etc/hosts", "127.0.0.1\tlocalhost localhost.localdomain alpine\n")
            .AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/ash\n")
            .AddFile("/etc/ssh/ssh_host_ed25519_key", "ED25519 PRIVATE")
            .AddFile("/etc/ssh/ssh_host_ed25519_key.pub", "ssh-ed25519 AAAA\n")
            .AddFile("/etc/init.d/sshd", "#!/sbin/openrc-run\nstart_pre() {\n\tssh-keygen -A\n}\n")
            .AddFile("/etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\n")
            .AddFile("/var/cache/apk/APKINDEX.abc.tar.gz", "index")
            .AddFile("/var/lib/udhcpd/udhcpd.leases", "server")
            .AddFile("/var/log/messages", "boot\n")
            .AddFile("/root/.ash_history", "apk add vim\n")
            .AddFile("/etc/random-seed", "seed");
        var guest = new GuestInfo
        {
            DistroId = "alpine", VersionId = "3.20.0", Family = DistroFamily.Alpine, SystemdVersion = null,
            HasSshServer = true, NetworkStacks = NetworkStacks.Ifupdown, Hostname = "alpine",
        };
        return (fs, guest);
    }
}
