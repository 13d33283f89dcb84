#!/usr/bin/env bash
# make-family-tree.sh FAMILY OUTDIR MANIFEST
# A used system of one of the seven distribution families Sealer is measured on, as the distribution lays it out:
#   debian12 | ubuntu2404 | fedora40 | rhel9 | sles15 | arch | alpine
# The base comes from make-guest-tree.sh (rhel9 builds on fedora40, sles15 on opensuse); this script adds what a
# used system of the family also carries (keys, tokens, MACs that are set, the host name outside /etc/hostname,
# history) and what a template must keep (fstab, package databases, operators' files, firewall rules...).
#
# MANIFEST gets one line per item, tab-separated, so a test can check a seal against it:
#   machine PATH            per-machine: must be gone after a default seal
#   machine PATH NEEDLE     per-machine text: PATH may remain but must no longer contain NEEDLE
#   warned  PATH            per-machine, kept on purpose: must remain and be named in a warning of the report
#   keep    PATH            must be byte-identical (content or link target, mode, owner) after the seal
#   made    PATH            must exist after the seal (what makes a fresh identity at boot)
# Owners are set only when run as root (the test suite runs as root in CI).
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 FAMILY OUTDIR MANIFEST" >&2
    exit 2
fi
family=$1
out=$2
manifest=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "$family" in
    debian12|ubuntu2404|fedora40|arch|alpine) base=$family ;;
    rhel9) base=fedora40 ;;
    sles15) base=opensuse ;;
    *) echo "$0: unknown family '$family'" >&2; exit 2 ;;
esac
"$here/make-guest-tree.sh" "$base" "$out" >/dev/null
out=$(cd "$out" && pwd)
: > "$manifest"

user=${base%%[0-9]*}
host=$base-vm01
fqdn=$host.example.net
mac=52:54:00:12:34:56
machine_id=$(cat "$out/etc/machine-id")
is_root=0
[[ $(id -u) -eq 0 ]] && is_root=1

parent() { local p="$out/$1"; [[ -d ${p%/*} ]] || mkdir -p "${p%/*}"; }
d() { [[ -d "$out/$1" ]] || mkdir -p "$out/$1"; }
f() { parent "$1"; printf '%s\n' "$2" > "$out/$1"; }
exe() { parent "$1"; : > "$out/$1"; chmod 755 "$out/$1"; }
rnd() { parent "$1"; head -c "$2" /dev/urandom > "$out/$1"; }
ln_s() { parent "$2"; ln -sfn "$1" "$out/$2"; }
# own UID:GID MODE PATH...
own() { local ids=$1 mode=$2; shift 2; chmod "$mode" "${@/#/$out/}"; [[ $is_root -eq 1 ]] && chown -h "$ids" "${@/#/$out/}"; true; }
m() { printf 'machine\t%s\n' "$1" >> "$manifest"; }
mt() { printf 'machine\t%s\t%s\n' "$1" "$2" >> "$manifest"; }
w() { printf 'warned\t%s\n' "$1" >> "$manifest"; }
k() { printf 'keep\t%s\n' "$1" >> "$manifest"; }
made() { printf 'made\t%s\n' "$1" >> "$manifest"; }
empty() { printf 'empty\t%s\n' "$1" >> "$manifest"; }
has() { printf 'has\t%s\t%s\n' "$1" "$2" >> "$manifest"; }
systemd=1; [[ $family == alpine ]] && systemd=0
deb=0; [[ $family == debian12 || $family == ubuntu2404 ]] && deb=1
rh=0; [[ $family == fedora40 || $family == rhel9 ]] && rh=1

# --- family identity ------------------------------------------------------------------------------------
case "$family" in
    rhel9) f usr/lib/os-release 'NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"' ;;
    sles15) f usr/lib/os-release 'NAME="SLES"
VERSION="15-SP6"
VERSION_ID="15.6"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP6"
ID="sles"
ID_LIKE="suse"'
        # SLE 15 keeps /etc/HOSTNAME as a link to /etc/hostname
        ln_s hostname etc/HOSTNAME ;;
esac

# --- the distribution's own SSH host key generator (what ssh-hostkeys relies on), and ssh-keygen itself --------
exe usr/bin/ssh-keygen
case "$family" in
    debian12|ubuntu2404) made /etc/systemd/system/sealer-ssh-keygen.service ;;  # ssh.service does not make keys
    fedora40|rhel9) f usr/lib/systemd/system/sshd.service "[Unit]
Wants=sshd-keygen.target"
        f usr/lib/systemd/system/sshd-keygen@.service "[Service]
ExecStart=/usr/libexec/openssh/sshd-keygen %i" ;;
    sles15) f usr/lib/systemd/system/sshd.service "[Service]
ExecStartPre=/usr/sbin/sshd-gen-keys-start"
        f usr/lib/systemd/system/sshd-gen-keys-start.service "[Service]
ExecStart=/usr/sbin/sshd-gen-keys-start" ;;
    arch) f usr/lib/systemd/system/sshd.service "[Unit]
Wants=sshdgenkeys.service"
        f usr/lib/systemd/system/sshdgenkeys.service "[Service]
ExecStart=/usr/bin/ssh-keygen -A" ;;
    alpine) f etc/init.d/sshd "#!/sbin/openrc-run
start_pre() {
	ssh-keygen -A
}"
        chmod 755 "$out/etc/init.d/sshd" ;;
esac

# --- what the base tree already carries -----------------------------------------------------------------
mt /etc/machine-id "$machine_id"
[[ -L $out/var/lib/dbus/machine-id ]] || m /var/lib/dbus/machine-id
mt /etc/hostname "$host"
mt /etc/hosts "$host"
for key in "$out"/etc/ssh/ssh_host_*; do m "${key#"$out"}"; done
m /etc/udev/rules.d/70-persistent-net.rules
m /var/log/wtmp; m /var/log/btmp; m /root/.bash_history; m "/home/$user/.bash_history"
m /tmp/sess_8f2a1c; m /var/tmp/systemd-private-abc
m "/home/$user/.ssh/known_hosts"
k /etc/fstab; k /etc/passwd; k /etc/shadow; k /etc/group
k /root/.ssh/authorized_keys; k "/home/$user/.ssh/authorized_keys"
if [[ $systemd -eq 1 ]]; then
    m /var/lib/systemd/random-seed
    m "/var/log/journal/$machine_id"
    m /var/lib/systemd/coredump/core.bash.1000.zst
else
    m /var/lib/seedrng/seed.credit
fi
case "$base" in
    debian12) mt /etc/network/interfaces "hwaddress"; has /etc/network/interfaces "iface eth0 inet dhcp"
        m /var/lib/dhcp/dhclient.eth0.leases; w /etc/systemd/network/10-eth0.network ;;
    ubuntu2404) m /etc/netplan/50-cloud-init.yaml ;;
    fedora40) m /etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection
        m /var/lib/NetworkManager/internal-4f1b6c1c-2a49-4a5c-9d43-8a4c63b0a7d1-eth0.lease; m /var/lib/NetworkManager/timestamps ;;
    opensuse) mt /etc/sysconfig/network/ifcfg-eth0 "LLADDR"; m /var/lib/wicked/lease-eth0-dhcp-ipv4.xml ;;
    arch) w /etc/systemd/network/20-wired.network ;;
    alpine) m /var/lib/udhcpc/udhcpc.eth0.lease ;;
esac
case "$base" in
    debian12|ubuntu2404|fedora40|opensuse)
        m /var/lib/cloud/instances; m /var/lib/cloud/instance; m /var/lib/cloud/data; m /var/log/cloud-init.log
        m /var/log/cloud-init-output.log
        k /var/lib/cloud/seed/nocloud/meta-data; k /etc/cloud/cloud.cfg ;;
esac

case "$base" in
    debian12|ubuntu2404) m /var/log/syslog; m /var/log/auth.log; m /var/log/dpkg.log; m /var/log/apt/history.log
        m /var/cache/apt/archives/nginx_1.22.1-9_amd64.deb; k /var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease ;;
    fedora40) m /var/log/messages; m /var/log/secure; m /var/log/dnf.log; m /var/cache/dnf/fedora-0f8e2c3d4b5a6978/repodata/primary.xml.zst ;;
    opensuse) m /var/log/messages; m /var/log/secure; m /var/log/zypper.log; m /var/cache/zypp/packages/repo-oss/x86_64/nginx-1.21.5.x86_64.rpm ;;
    arch) m /var/log/pacman.log; m /var/cache/pacman/pkg/nginx-1.26.1-1-x86_64.pkg.tar.zst ;;
    alpine) m /var/log/messages; m /var/cache/apk/APKINDEX.5b0d3f1e.tar.gz ;;
esac

# --- kept by every family: swap file, package database, firewall ---------------------------------------
head -c 65536 /dev/zero > "$out/swapfile"; own 0:0 600 swapfile; k /swapfile
case "$family" in
    debian12|ubuntu2404)
        f var/lib/dpkg/status "Package: openssh-server
Status: install ok installed
Version: 1:9.2p1-2"
        k /var/lib/dpkg/status
        f etc/nftables.conf "#!/usr/sbin/nft -f
table inet filter {
  chain input { type filter hook input priority 0; policy drop; tcp dport 22 accept; }
}"
        own 0:0 755 etc/nftables.conf; k /etc/nftables.conf
        f etc/iptables/rules.v4 "*filter
:INPUT DROP [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT"
        k /etc/iptables/rules.v4 ;;
    fedora40|rhel9)
        rnd var/lib/rpm/rpmdb.sqlite 8192; k /var/lib/rpm/rpmdb.sqlite
        rnd var/lib/dnf/history.sqlite 4096; k /var/lib/dnf/history.sqlite
        f etc/firewalld/zones/public.xml '<?xml version="1.0" encoding="utf-8"?>
<zone><short>Public</short><service name="ssh"/><port protocol="tcp" port="8443"/></zone>'
        k /etc/firewalld/zones/public.xml
        f etc/sysconfig/iptables "*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 5432 -s 10.0.0.0/8 -j ACCEPT
COMMIT"
        own 0:0 600 etc/sysconfig/iptables; k /etc/sysconfig/iptables ;;
    sles15)
        rnd usr/lib/sysimage/rpm/Packages.db 8192; k /usr/lib/sysimage/rpm/Packages.db
        f etc/firewalld/zones/public.xml '<?xml version="1.0" encoding="utf-8"?>
<zone><short>Public</short><service name="ssh"/></zone>'
        k /etc/firewalld/zones/public.xml ;;
    arch)
        f var/lib/pacman/local/openssh-9.8p1-1/desc "%NAME%
openssh"
        k /var/lib/pacman/local/openssh-9.8p1-1/desc
        f etc/nftables.conf "table inet filter { chain input { type filter hook input priority 0; policy drop; } }"
        k /etc/nftables.conf
        f etc/pacman.d/mirrorlist "Server = https://geo.mirror.pkgbuild.com/\$repo/os/\$arch"; k /etc/pacman.d/mirrorlist ;;
    alpine)
        f lib/apk/db/installed "P:openssh
V:9.7_p1-r4"
        k /lib/apk/db/installed
        f etc/apk/world "alpine-base
openssh
chrony"
        k /etc/apk/world
        f etc/iptables/rules-save "*filter
:INPUT DROP [0:0]
COMMIT"
        k /etc/iptables/rules-save ;;
esac

# --- SSH: users' keys, sshd host certificate --------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -C "$user@$host" -f "$out/home/$user/.ssh/id_ed25519"
[[ $is_root -eq 1 ]] && chown 1000:1000 "$out/home/$user/.ssh/id_ed25519" "$out/home/$user/.ssh/id_ed25519.pub"
m "/home/$user/.ssh/id_ed25519"; m "/home/$user/.ssh/id_ed25519.pub"
f root/.ssh/known_hosts "gitlab.example.net ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtub3duLWhvc3Qtbm90LXJlYWw="
m /root/.ssh/known_hosts
f "home/$user/.ssh/config" "Host git
    HostName gitlab.example.net"
k "/home/$user/.ssh/config"
if [[ $family == rhel9 || $family == ubuntu2404 ]]; then
    # the operator signs host keys with a CA: the certificate names a key the seal removes
    f etc/ssh/sshd_config.d/50-hostcert.conf "HostCertificate /etc/ssh/ssh_host_ed25519_key-cert.pub"
    k /etc/ssh/sshd_config.d/50-hostcert.conf; w /etc/ssh/sshd_config.d/50-hostcert.conf
    f etc/ssh/ssh_host_ed25519_key-cert.pub "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ= root@$host"
    m /etc/ssh/ssh_host_ed25519_key-cert.pub
fi

# --- the host name outside /etc/hostname -----------------------------------------------------------------
# A static entry for the template's own address (Fedora/SUSE installers and admins write these)
printf '192.168.122.45\t%s %s\n' "$fqdn" "$host" >> "$out/etc/hosts"
printf '10.0.0.5\tgitlab.example.net gitlab\n' >> "$out/etc/hosts"
if [[ $deb -eq 1 ]]; then
    # Debian: postfix's postinst writes the FQDN; Ubuntu here: the operator set the mail domain (kept)
    if [[ $family == debian12 ]]; then f etc/mailname "$fqdn"; m /etc/mailname; made /etc/systemd/system/sealer-mailname.service
    else f etc/mailname "example.net"; k /etc/mailname; fi
fi
if [[ $family != alpine && $family != arch ]]; then
    f etc/postfix/main.cf "# See /usr/share/postfix/main.cf.dist for a commented, more complete version
smtpd_banner = \$myhostname ESMTP
myhostname = $fqdn
mydestination = \$myhostname, localhost.localdomain, localhost
relayhost = [smtp.example.net]:587
inet_interfaces = loopback-only"
    mt /etc/postfix/main.cf "$fqdn"
    d var/spool/postfix/deferred/A; f var/spool/postfix/deferred/A/A1B2C3D4E5 "queued mail for root@$fqdn"
    d var/spool/postfix/active; d var/spool/postfix/maildrop; d var/spool/postfix/incoming
    f var/spool/postfix/maildrop/8F2A1C "mail"
    own 106:107 700 var/spool/postfix/deferred var/spool/postfix/active var/spool/postfix/incoming
    own 106:107 730 var/spool/postfix/maildrop
    own 106:107 600 var/spool/postfix/deferred/A/A1B2C3D4E5 var/spool/postfix/maildrop/8F2A1C
    m /var/spool/postfix/deferred/A/A1B2C3D4E5; m /var/spool/postfix/maildrop/8F2A1C
    k /var/spool/postfix/maildrop
    d var/lib/postfix; rnd var/lib/postfix/smtp_scache.db 4096; rnd var/lib/postfix/prng_exch 1024
    own 106:107 600 var/lib/postfix/smtp_scache.db var/lib/postfix/prng_exch
    m /var/lib/postfix/smtp_scache.db; m /var/lib/postfix/prng_exch
fi
if [[ $family == sles15 ]]; then
    f etc/sysconfig/postfix "POSTFIX_RELAYHOST=\"[smtp.example.net]:587\"
POSTFIX_MYHOSTNAME=\"$fqdn\""
    mt /etc/sysconfig/postfix "$fqdn"
fi
if [[ $family == debian12 ]]; then
    # ifupdown: the DHCP hostname option sends the template's name
    sed -i "s/^iface eth0 inet dhcp/iface eth0 inet dhcp\n    hostname $host/" "$out/etc/network/interfaces"
    mt /etc/network/interfaces "hostname $host"
fi
if [[ $deb -eq 1 || $rh -eq 1 ]]; then
    f etc/samba/smb.conf "[global]
   workgroup = EXAMPLE
   netbios name = ${host^^}
   server role = standalone server"
    mt /etc/samba/smb.conf "${host^^}"
    d var/lib/samba/private; own 0:0 700 var/lib/samba/private; k /var/lib/samba/private
    rnd var/lib/samba/private/secrets.tdb 4096; rnd var/lib/samba/private/passdb.tdb 4096
    m /var/lib/samba/private/secrets.tdb; m /var/lib/samba/private/passdb.tdb
fi

# --- MACs that are set (every clone would come up with the template's MAC) -------------------------------
case "$family" in
    debian12) ;; # hwaddress ether in /etc/network/interfaces (base tree)
    sles15) ;;   # LLADDR= in ifcfg-eth0 (base tree)
    arch)
        f etc/systemd/network/10-lan.link "[Match]
OriginalName=en*

[Link]
Name=lan0
MACAddress=$mac"
        mt /etc/systemd/network/10-lan.link "$mac"; has /etc/systemd/network/10-lan.link "Name=lan0"
        exe usr/sbin/NetworkManager
        f etc/NetworkManager/system-connections/wired.nmconnection "[connection]
id=wired
uuid=1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9
type=ethernet
interface-name=enp1s0

[ethernet]
cloned-mac-address=52:54:00:ab:cd:ef

[ipv4]
method=manual
address1=10.30.0.5/24"
        own 0:0 600 etc/NetworkManager/system-connections/wired.nmconnection
        mt /etc/NetworkManager/system-connections/wired.nmconnection "cloned-mac-address=52"
        has /etc/NetworkManager/system-connections/wired.nmconnection "address1=10.30.0.5/24" ;;
    fedora40|rhel9)
        f etc/NetworkManager/system-connections/storage.nmconnection "[connection]
id=storage
uuid=9d3e1f2a-6b7c-4d8e-9f01-23456789abcd
type=ethernet
interface-name=ens4

[ethernet]
cloned-mac-address=52:54:00:ab:cd:ef

[ipv4]
method=manual
address1=10.20.0.5/24"
        own 0:0 600 etc/NetworkManager/system-connections/storage.nmconnection
        # net-nmconn removes the Red Hat family's keyfiles (as virt-sysprep); NetworkManager makes a DHCP default
        m /etc/NetworkManager/system-connections/storage.nmconnection ;;
esac
if [[ $family == ubuntu2404 ]]; then
    # The operator's storage network: static address bound to a MAC, renamed with set-name
    f etc/netplan/60-storage.yaml "network:
  version: 2
  ethernets:
    storage:
      match:
        macaddress: \"52:54:00:ab:cd:ef\"
      set-name: stor0
      addresses:
        - 10.20.0.5/24
      mtu: 9000"
    own 0:0 600 etc/netplan/60-storage.yaml
    # Without the MAC match the stanza would configure nothing on a clone (stor0 exists only through it): kept
    # unchanged, and the report names the file and line so the operator can match the clone's interface.
    w /etc/netplan/60-storage.yaml; k /etc/netplan/60-storage.yaml
fi

# --- keys and tokens -------------------------------------------------------------------------------------
if [[ $deb -eq 1 ]]; then
    exe usr/sbin/make-ssl-cert
    d etc/ssl/private; own 0:110 710 etc/ssl/private
    f etc/ssl/private/ssl-cert-snakeoil.key "-----BEGIN PRIVATE KEY-----
snakeoil-$host
-----END PRIVATE KEY-----"
    own 0:110 640 etc/ssl/private/ssl-cert-snakeoil.key
    f etc/ssl/certs/ssl-cert-snakeoil.pem "-----BEGIN CERTIFICATE-----
CN=$fqdn
-----END CERTIFICATE-----"
    m /etc/ssl/private/ssl-cert-snakeoil.key; m /etc/ssl/certs/ssl-cert-snakeoil.pem
    k /etc/ssl/private
    made /etc/systemd/system/sealer-snakeoil.service
    f etc/ssl/certs/ca-certificates.crt "-----BEGIN CERTIFICATE-----
public CA bundle
-----END CERTIFICATE-----"
    k /etc/ssl/certs/ca-certificates.crt
fi
if [[ $rh -eq 1 ]]; then
    f etc/pki/tls/private/localhost.key "-----BEGIN PRIVATE KEY-----
$host
-----END PRIVATE KEY-----"
    own 0:0 600 etc/pki/tls/private/localhost.key
    f etc/pki/tls/certs/localhost.crt "CN=$fqdn"
    f usr/lib/systemd/system/httpd-init.service "[Unit]
ConditionPathExists=|!/etc/pki/tls/certs/localhost.crt
[Service]
ExecStart=/usr/libexec/httpd-ssl-gencerts"
    m /etc/pki/tls/private/localhost.key; m /etc/pki/tls/certs/localhost.crt
    f etc/pki/tls/certs/ca-bundle.crt "public CA bundle"; k /etc/pki/tls/certs/ca-bundle.crt
    d etc/cockpit/ws-certs.d
    f etc/cockpit/ws-certs.d/0-self-signed.cert "CN=$fqdn"; f etc/cockpit/ws-certs.d/0-self-signed.key "cockpit key $host"
    own 0:0 640 etc/cockpit/ws-certs.d/0-self-signed.key
    f etc/cockpit/ws-certs.d/0-self-signed-ca.pem "cockpit ca $host"
    m /etc/cockpit/ws-certs.d/0-self-signed.cert; m /etc/cockpit/ws-certs.d/0-self-signed.key; m /etc/cockpit/ws-certs.d/0-self-signed-ca.pem
    f etc/cockpit/ws-certs.d/50-company.cert "operator's certificate"; k /etc/cockpit/ws-certs.d/50-company.cert
fi
if [[ $family != alpine ]]; then
    d var/lib/fwupd/pki; f var/lib/fwupd/pki/secret.key "fwupd key $host"; f var/lib/fwupd/pki/client.pem "CN=$host"
    own 0:0 600 var/lib/fwupd/pki/secret.key
    m /var/lib/fwupd/pki/secret.key; m /var/lib/fwupd/pki/client.pem
fi
if [[ $family == ubuntu2404 ]]; then
    d var/lib/ubuntu-advantage/private; own 0:0 700 var/lib/ubuntu-advantage/private
    f var/lib/ubuntu-advantage/private/machine-token.json '{"machineToken": "c2VjcmV0LXRva2Vu", "machineTokenInfo": {"machineId": "'"$machine_id"'"}}'
    own 0:0 600 var/lib/ubuntu-advantage/private/machine-token.json
    f var/lib/ubuntu-advantage/machine-id "$machine_id"
    f etc/apt/auth.conf.d/90ubuntu-advantage "machine esm.ubuntu.com/apps/ubuntu/ login bearer password c2VjcmV0LXRva2Vu  # ubuntu-pro-client"
    own 0:0 600 etc/apt/auth.conf.d/90ubuntu-advantage
    m /var/lib/ubuntu-advantage/private/machine-token.json; m /var/lib/ubuntu-advantage/machine-id; m /etc/apt/auth.conf.d/90ubuntu-advantage
    f etc/apt/auth.conf.d/50-company "machine apt.example.net login deploy password s3cret"
    own 0:0 600 etc/apt/auth.conf.d/50-company; k /etc/apt/auth.conf.d/50-company
    # snapd: the serial assertion lives in state.json next to every installed snap's state; no offline reset
    d var/lib/snapd/device/private-keys-v1; rnd var/lib/snapd/device/private-keys-v1/c2VyaWFsLWtleQ 2048
    own 0:0 600 var/lib/snapd/device/private-keys-v1/c2VyaWFsLWtleQ
    f var/lib/snapd/state.json '{"data":{"auth":{"device":{"brand":"canonical","model":"pc","serial":"5f2e0a1c-template","key-id":"c2VyaWFsLWtleQ"}}}}'
    own 0:0 600 var/lib/snapd/state.json
    w /var/lib/snapd/state.json
fi
if [[ $rh -eq 1 ]]; then
    if [[ $family == rhel9 ]]; then
        d etc/insights-client; f etc/insights-client/machine-id "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"; : > "$out/etc/insights-client/.registered"
        m /etc/insights-client/machine-id; m /etc/insights-client/.registered
        f etc/insights-client/insights-client.conf "[insights-client]
auto_config=True"
        k /etc/insights-client/insights-client.conf
        d var/lib/insights; f var/lib/insights/last_stable.egg "egg"; m /var/lib/insights/last_stable.egg
        f etc/pki/consumer/cert.pem "consumer"; f etc/pki/consumer/key.pem "consumer key"; own 0:0 640 etc/pki/consumer/key.pem
        m /etc/pki/consumer/cert.pem; m /etc/pki/consumer/key.pem
        f etc/pki/entitlement/1234567890.pem "entitlement"; m /etc/pki/entitlement/1234567890.pem
        d var/lib/rhsm/facts; f var/lib/rhsm/facts/facts.json '{"network.hostname": "'"$fqdn"'", "dmi.system.uuid": "1c2d"}'
        d var/lib/rhsm/cache; f var/lib/rhsm/cache/installed_products.json '{}'; f var/lib/rhsm/cache/entitlement_status.json '{}'
        m /var/lib/rhsm/facts/facts.json; m /var/lib/rhsm/cache/installed_products.json; m /var/lib/rhsm/cache/entitlement_status.json
        f etc/rhsm/rhsm.conf "[server]
hostname = subscription.rhsm.redhat.com"
        k /etc/rhsm/rhsm.conf
        f etc/rhsm/facts/custom.facts '{"datacenter": "fra1"}'; k /etc/rhsm/facts/custom.facts
        f root/anaconda-ks.cfg "rootpw --iscrypted \$6\$salt\$roothash"; m /root/anaconda-ks.cfg
        f root/original-ks.cfg "rootpw --iscrypted \$6\$salt\$roothash"; m /root/original-ks.cfg
        d var/lib/rpm; f var/lib/rpm/__db.001 "bdb env"; m /var/lib/rpm/__db.001
    fi
    f etc/sysconfig/network-scripts/readme-ifcfg-rh.txt "NetworkManager stores new network profiles in keyfile format"
    k /etc/sysconfig/network-scripts/readme-ifcfg-rh.txt
fi
if [[ $family == sles15 ]]; then
    d var/lib/zypp; f var/lib/zypp/AnonymousUniqueId "2c3d4e5f-6a7b-8c9d-0e1f-a2b3c4d5e6f7"; m /var/lib/zypp/AnonymousUniqueId
    d etc/zypp/credentials.d
    f etc/zypp/credentials.d/SCCcredentials "username=SCC_0123456789abcdef
password=0123456789abcdef"
    f etc/zypp/credentials.d/SUSE_Linux_Enterprise_Server_15_SP6_x86_64 "username=SCC_0123456789abcdef
password=0123456789abcdef"
    own 0:0 600 etc/zypp/credentials.d/SCCcredentials etc/zypp/credentials.d/SUSE_Linux_Enterprise_Server_15_SP6_x86_64
    m /etc/zypp/credentials.d/SCCcredentials; m /etc/zypp/credentials.d/SUSE_Linux_Enterprise_Server_15_SP6_x86_64
    f etc/zypp/credentials.d/company-repo "username=deploy
password=s3cret"
    own 0:0 600 etc/zypp/credentials.d/company-repo; k /etc/zypp/credentials.d/company-repo
    d etc/zypp/services.d
    f etc/zypp/services.d/SUSE_Linux_Enterprise_Server_15_SP6_x86_64.service "[SUSE_Linux_Enterprise_Server_15_SP6_x86_64]
name=SUSE_Linux_Enterprise_Server_15_SP6_x86_64
enabled=1
autorefresh=1
url = https://scc.suse.com/access/services/1950?credentials=SUSE_Linux_Enterprise_Server_15_SP6_x86_64
type = ris"
    m /etc/zypp/services.d/SUSE_Linux_Enterprise_Server_15_SP6_x86_64.service
    f etc/zypp/repos.d/company.repo "[company]
baseurl=https://repo.example.net/sles15?credentials=company-repo"
    k /etc/zypp/repos.d/company.repo
    f root/autoinst.xml "<profile><users><user><username>root</username><user_password>\$6\$salt\$roothash</user_password><encrypted>true</encrypted></user></users></profile>"
    own 0:0 600 root/autoinst.xml; m /root/autoinst.xml
fi
if [[ $family == ubuntu2404 || $family == fedora40 ]]; then
    d var/lib/docker; f var/lib/docker/engine-id "6f5e4d3c-2b1a-4098-8776-655443322110"; own 0:0 600 var/lib/docker/engine-id
    m /var/lib/docker/engine-id
    d var/lib/docker/volumes/pgdata/_data; f var/lib/docker/volumes/pgdata/_data/PG_VERSION "16"; k /var/lib/docker/volumes/pgdata/_data/PG_VERSION
    f etc/docker/daemon.json '{"log-driver": "journald"}'; k /etc/docker/daemon.json
fi
if [[ $family == arch ]]; then
    exe usr/bin/pacman-key
    d etc/pacman.d/gnupg/private-keys-v1.d
    rnd etc/pacman.d/gnupg/private-keys-v1.d/3C2B1A0F9E8D7C6B5A493827160F1E2D3C4B5A69.key 1024
    rnd etc/pacman.d/gnupg/pubring.gpg 4096; rnd etc/pacman.d/gnupg/trustdb.gpg 1280
    f etc/pacman.d/gnupg/gpg.conf "no-greeting
keyserver-options timeout=10"
    own 0:0 700 etc/pacman.d/gnupg etc/pacman.d/gnupg/private-keys-v1.d
    own 0:0 600 etc/pacman.d/gnupg/private-keys-v1.d/3C2B1A0F9E8D7C6B5A493827160F1E2D3C4B5A69.key
    m /etc/pacman.d/gnupg/private-keys-v1.d/3C2B1A0F9E8D7C6B5A493827160F1E2D3C4B5A69.key
    m /etc/pacman.d/gnupg/trustdb.gpg
    made /etc/systemd/system/sealer-pacman-init.service
fi

# --- enrolled agents, boot loader seed, dropbear, pstore -----------------------------------------------------
case "$family" in
    rhel9)
        f etc/salt/minion_id "$fqdn"; d etc/salt/pki/minion
        f etc/salt/pki/minion/minion.pem "-----BEGIN RSA PRIVATE KEY-----
salt $host
-----END RSA PRIVATE KEY-----"
        own 0:0 400 etc/salt/pki/minion/minion.pem
        f etc/salt/pki/minion/minion.pub "salt pub"; f etc/salt/pki/minion/minion_master.pub "master pub"
        m /etc/salt/minion_id; m /etc/salt/pki/minion/minion.pem; m /etc/salt/pki/minion/minion.pub; m /etc/salt/pki/minion/minion_master.pub
        f etc/salt/minion "master: salt.example.net"; k /etc/salt/minion
        k /etc/salt/pki/minion ;;
    sles15)
        f etc/chef/client.pem "-----BEGIN RSA PRIVATE KEY-----
chef $host
-----END RSA PRIVATE KEY-----"
        own 0:0 600 etc/chef/client.pem; m /etc/chef/client.pem
        f etc/chef/client.rb "chef_server_url 'https://chef.example.net/organizations/ops'"; k /etc/chef/client.rb ;;
    arch)
        d var/lib/tailscale; f var/lib/tailscale/tailscaled.state '{"_machinekey":"privkey:0123","_profiles":"e30="}'
        own 0:0 600 var/lib/tailscale/tailscaled.state; m /var/lib/tailscale/tailscaled.state
        # systemd-boot's seed on the ESP, mounted at /boot on Arch
        d boot/loader; rnd boot/loader/random-seed 32; own 0:0 600 boot/loader/random-seed; m /boot/loader/random-seed
        f boot/loader/loader.conf "default arch.conf"; k /boot/loader/loader.conf ;;
    debian12)
        d var/lib/zerotier-one; f var/lib/zerotier-one/identity.secret "a1b2c3d4e5:0:secret"; f var/lib/zerotier-one/identity.public "a1b2c3d4e5:0:public"
        own 0:0 600 var/lib/zerotier-one/identity.secret
        m /var/lib/zerotier-one/identity.secret; m /var/lib/zerotier-one/identity.public
        d var/lib/zerotier-one/networks.d; f var/lib/zerotier-one/networks.d/8056c2e21c000001.conf "allowManaged=1"
        k /var/lib/zerotier-one/networks.d/8056c2e21c000001.conf ;;
    ubuntu2404)
        d var/lib/waagent; f var/lib/waagent/ovf-env.xml "<ns0:Environment><UserName>azureuser</UserName></ns0:Environment>"
        f var/lib/waagent/provisioned ""; f var/lib/waagent/HostingEnvironmentConfig.xml "<HostingEnvironmentConfig/>"
        own 0:0 600 var/lib/waagent/ovf-env.xml
        m /var/lib/waagent/ovf-env.xml; m /var/lib/waagent/provisioned; m /var/lib/waagent/HostingEnvironmentConfig.xml
        f etc/waagent.conf "Provisioning.Agent=auto"; k /etc/waagent.conf
        d var/lib/landscape/client; rnd var/lib/landscape/client/broker.bpickle 512; m /var/lib/landscape/client/broker.bpickle
        f etc/landscape/client.conf "[client]
account_name = example
url = https://landscape.canonical.com/message-system"
        k /etc/landscape/client.conf ;;
    fedora40)
        # an encrypted data volume: its LUKS key is the template's (kept, reported)
        f etc/crypttab "data UUID=3f9e8d7c-6b5a-4948-8372-615049382716 /etc/cryptsetup-keys.d/data.key luks"
        w /etc/crypttab; k /etc/crypttab
        d etc/cryptsetup-keys.d; rnd etc/cryptsetup-keys.d/data.key 64; own 0:0 400 etc/cryptsetup-keys.d/data.key; k /etc/cryptsetup-keys.d/data.key
        d var/lib/docker/swarm/certificates; f var/lib/docker/swarm/certificates/swarm-node.key "swarm node key"; m /var/lib/docker/swarm/certificates/swarm-node.key
        d var/lib/amazon/ssm; f var/lib/amazon/ssm/registration '{"ManagedInstanceID":"mi-0123456789abcdef0","Region":"eu-central-1"}'
        d var/lib/amazon/ssm/Vault/Store; f var/lib/amazon/ssm/Vault/Store/RegistrationKey "private key"
        own 0:0 600 var/lib/amazon/ssm/registration var/lib/amazon/ssm/Vault/Store/RegistrationKey
        m /var/lib/amazon/ssm/registration; m /var/lib/amazon/ssm/Vault/Store/RegistrationKey
        d var/lib/systemd/pstore/1718190000; f var/lib/systemd/pstore/1718190000/dmesg.txt "Oops: kernel panic on $host"
        m /var/lib/systemd/pstore/1718190000/dmesg.txt
        d boot/efi/loader; rnd boot/efi/loader/random-seed 32; m /boot/efi/loader/random-seed ;;
    alpine)
        d etc/dropbear
        for t in ed25519 ecdsa; do rnd "etc/dropbear/dropbear_${t}_host_key" 128; own 0:0 600 "etc/dropbear/dropbear_${t}_host_key"; m "/etc/dropbear/dropbear_${t}_host_key"; done
        f etc/init.d/dropbear "#!/sbin/openrc-run
check_config() {
	for type in ed25519 ecdsa; do
		[ -f /etc/dropbear/dropbear_\${type}_host_key ] || dropbearkey -t \$type -f /etc/dropbear/dropbear_\${type}_host_key
	done
}"
        chmod 755 "$out/etc/init.d/dropbear"
        f etc/conf.d/dropbear 'DROPBEAR_OPTS="-w -s"'; k /etc/conf.d/dropbear
        # ifupdown-ng: the DHCP host name and a set MAC, as on Debian
        sed -i "s/^iface eth0 inet dhcp/iface eth0 inet dhcp\n\thostname $host\n\thwaddress ether $mac/" "$out/etc/network/interfaces"
        mt /etc/network/interfaces "hostname $host"; mt /etc/network/interfaces "hwaddress"; has /etc/network/interfaces "iface eth0 inet dhcp" ;;
esac

# --- history of the template -----------------------------------------------------------------------------
if [[ $family == rhel9 || $family == sles15 || $family == debian12 ]]; then
    vg=$([[ $family == rhel9 ]] && echo rhel || ([[ $family == sles15 ]] && echo system || echo vg0))
    f "etc/lvm/backup/$vg" "# Generated by LVM2 version 2.03.23(2) (2023-11-21): Wed Jun 12 10:20:01 2024
contents = \"Text Format Volume Group\"
description = \"Created *after* executing 'lvcreate -n data -L 1G $vg'\"
creation_host = \"$fqdn\"	# Linux $fqdn 5.14.0"
    f "etc/lvm/archive/${vg}_00000-1804289383.vg" "creation_host = \"$fqdn\""
    own 0:0 600 "etc/lvm/backup/$vg" "etc/lvm/archive/${vg}_00000-1804289383.vg"
    own 0:0 700 etc/lvm/backup etc/lvm/archive
    m "/etc/lvm/backup/$vg"; m "/etc/lvm/archive/${vg}_00000-1804289383.vg"
    k /etc/lvm/backup; k /etc/lvm/archive
    f etc/lvm/lvm.conf "config {
	checks = 1
}"
    k /etc/lvm/lvm.conf
    if [[ $family == rhel9 ]]; then f etc/lvm/devices/system.devices "IDTYPE=sys_wwid IDNAME=naa.600140 DEVNAME=/dev/sda2 PVID=abc"; m /etc/lvm/devices/system.devices; fi
fi
case "$family" in
    debian12|ubuntu2404) drift=var/lib/chrony/chrony.drift; chrony_ids=0:0 ;;
    alpine) drift=var/lib/chrony/chrony.drift; chrony_ids=0:0 ;;
    *) drift=var/lib/chrony/drift; chrony_ids=994:991 ;;
esac
f "$drift" "          -7.203125             0.041260"
own "$chrony_ids" 644 "$drift"; m "/$drift"
if [[ $systemd -eq 1 ]]; then
    rnd var/lib/systemd/coredump/core.sshd.0.4f1b6c1c.812.1718190000000000.zst 2048
    own 0:0 640 var/lib/systemd/coredump/core.sshd.0.4f1b6c1c.812.1718190000000000.zst
    m /var/lib/systemd/coredump/core.sshd.0.4f1b6c1c.812.1718190000000000.zst
    k /var/lib/systemd/coredump
fi
if [[ $family == rhel9 || $family == fedora40 ]]; then
    f var/lib/rsyslog/imjournal.state "s=4f9c2d1e8b7a;i=1a2b;b=$machine_id" ; m /var/lib/rsyslog/imjournal.state
fi
# process accounting, as acct/psacct keep it
case "$family" in
    debian12|ubuntu2404) d var/log/account; rnd var/log/account/pacct 640; rnd var/log/account/pacct.0 640
        own 0:4 640 var/log/account/pacct; m /var/log/account/pacct.0; empty /var/log/account/pacct ;;
    fedora40|rhel9) d var/account; rnd var/account/pacct 640; own 0:0 600 var/account/pacct; empty /var/account/pacct ;;
esac
# files of the template's users' mail and at/cron are covered by the base operations

echo "$out"
