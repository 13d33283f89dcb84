#!/usr/bin/env bash
# make-guest-tree.sh DISTRO OUTDIR
# Writes a small synthetic guest tree that looks like a used system of DISTRO into OUTDIR (created, must be
# empty or absent). DISTRO: debian12 | ubuntu2404 | fedora40 | opensuse | arch | alpine.
# /etc/fstab is built from the environment so image scripts can match their mke2fs -U/-L values:
#   ROOT_UUID (default fixed), VAR_UUID (adds /var), HOME_UUID or HOME_LABEL (adds /home), BOOT_UUID (adds /boot),
#   FSTAB_EXTRA (raw lines appended).
# Everything is deterministic except the SSH host keys and the random payloads.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 DISTRO OUTDIR" >&2
    exit 2
fi
distro=$1
out=$2
case "$distro" in
    debian12|ubuntu2404|fedora40|opensuse|arch|alpine) ;;
    *) echo "$0: unknown distro '$distro'" >&2; exit 2 ;;
esac
if [[ -e "$out" ]] && [[ -n "$(ls -A "$out")" ]]; then
    echo "$0: $out is not empty" >&2
    exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

ROOT_UUID=${ROOT_UUID:-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0}
machine_id=$(printf '%s' "sealer-$distro-machine-id" | md5sum | cut -c1-32)
user=$distro
user=${user%%[0-9]*}
mac=52:54:00:12:34:56
is_root=0
[[ $(id -u) -eq 0 ]] && is_root=1

# Helpers avoid forks where they can: the tree is built in tests, on loaded machines.
parent() { local p="$out/$1"; [[ -d ${p%/*} ]] || mkdir -p "${p%/*}"; }
d() { [[ -d "$out/$1" ]] || mkdir -p "$out/$1"; }
f() { parent "$1"; printf '%s\n' "$2" > "$out/$1"; }
exe() { parent "$1"; : > "$out/$1"; chmod 755 "$out/$1"; }
rnd() { parent "$1"; head -c "$2" /dev/urandom > "$out/$1"; }
ln_s() { parent "$2"; ln -sfn "$1" "$out/$2"; }

# --- file system layout ---------------------------------------------------------------------------------
(cd "$out" && mkdir -p etc root home tmp var/tmp var/log var/lib var/cache run usr/bin usr/sbin usr/lib boot dev proc sys mnt srv opt)
chmod 1777 "$out/tmp" "$out/var/tmp"
chmod 700 "$out/root"
if [[ $distro == alpine ]]; then
    d bin; d sbin; d lib
else
    # merged /usr: /bin, /sbin and /lib are links into /usr (relative, as the distros ship them)
    ln_s usr/bin bin; ln_s usr/sbin sbin; ln_s usr/lib lib
fi
ln_s /run var/run
ln_s /run/lock var/lock

# --- identity -------------------------------------------------------------------------------------------
case "$distro" in
    debian12)   osr='PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"'; systemd=252 ;;
    ubuntu2404) osr='PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble'; systemd=255 ;;
    fedora40)   osr='NAME="Fedora Linux"
VERSION="40 (Cloud Edition)"
ID=fedora
VERSION_ID=40
PRETTY_NAME="Fedora Linux 40 (Cloud Edition)"
# comment line, as Fedora ships some
CPE_NAME="cpe:/o:fedoraproject:fedora:40"'; systemd=255 ;;
    opensuse)   osr='NAME="openSUSE Leap"
VERSION="15.6"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.6"
PRETTY_NAME="openSUSE Leap 15.6"'; systemd=254 ;;
    arch)       osr='NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling'; systemd=256 ;;
    alpine)     osr="NAME=\"Alpine Linux\"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME='Alpine Linux v3.20'"; systemd= ;;
esac
f usr/lib/os-release "$osr"
if [[ $distro == alpine ]]; then
    cp "$out/usr/lib/os-release" "$out/etc/os-release"
else
    ln_s ../usr/lib/os-release etc/os-release
fi
f etc/hostname "$distro-vm01"
f etc/hosts "127.0.0.1	localhost
127.0.1.1	$distro-vm01.example.net $distro-vm01
::1	localhost ip6-localhost ip6-loopback"
f etc/machine-id "$machine_id"
case "$distro" in
    alpine|arch) f var/lib/dbus/machine-id "$machine_id" ;;           # a separate regular copy
    *) ln_s /etc/machine-id var/lib/dbus/machine-id ;;
esac

# --- fstab ----------------------------------------------------------------------------------------------
{
    echo "# /etc/fstab: static file system information."
    echo "#"
    echo "# <file system>	<mount point>	<type>	<options>	<dump>	<pass>"
    echo "UUID=$ROOT_UUID	/	ext4	errors=remount-ro	0	1"
    [[ -n ${VAR_UUID:-} ]] && echo "UUID=$VAR_UUID	/var	ext4	defaults	0	2"
    [[ -n ${HOME_UUID:-} ]] && echo "UUID=$HOME_UUID	/home	ext4	defaults	0	2"
    [[ -n ${HOME_LABEL:-} ]] && echo "LABEL=$HOME_LABEL	/home	ext4	defaults,nodev	0	2"
    [[ -n ${BOOT_UUID:-} ]] && echo "UUID=$BOOT_UUID	/boot	ext4	defaults	0	2"
    echo "/swapfile	none	swap	sw	0	0"
    echo "tmpfs	/tmp	tmpfs	defaults,nosuid	0	0"
    [[ -n ${FSTAB_EXTRA:-} ]] && printf '%s\n' "$FSTAB_EXTRA"
    true
} > "$out/etc/fstab"

# --- SSH ------------------------------------------------------------------------------------------------
d etc/ssh
for type in ed25519 ecdsa rsa; do
    bits=(); [[ $type == rsa ]] && bits=(-b 2048)
    ssh-keygen -q -t "$type" "${bits[@]}" -N '' -C "root@$distro-vm01" -f "$out/etc/ssh/ssh_host_${type}_key"
done
f etc/ssh/sshd_config "Include /etc/ssh/sshd_config.d/*.conf
PermitRootLogin prohibit-password"
exe usr/sbin/sshd
d root/.ssh; f root/.ssh/authorized_keys "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHBsYWNlaG9sZGVyLWtleS1ub3QtcmVhbA== admin@example"

# --- systemd --------------------------------------------------------------------------------------------
if [[ -n $systemd ]]; then
    case "$distro" in
        ubuntu2404) libdir=usr/lib/x86_64-linux-gnu/systemd; lib=libsystemd-shared-$systemd.so ;;
        fedora40)   libdir=usr/lib64/systemd; lib=libsystemd-shared-$systemd.4-1.fc40.so ;;
        *)          libdir=usr/lib/systemd; lib=libsystemd-shared-$systemd.so ;;
    esac
    exe "$libdir/$lib"
    exe usr/lib/systemd/systemd
    # systemd-networkd is a separate package on Fedora and openSUSE, not installed there by default.
    case "$distro" in debian12|ubuntu2404|arch) exe usr/lib/systemd/systemd-networkd ;; esac
    d usr/lib/systemd/system
    for unit in systemd-networkd.service ssh.service getty@.service; do f "usr/lib/systemd/system/$unit" "[Unit]
Description=$unit placeholder"; done
    rnd var/lib/systemd/random-seed 512
    chmod 600 "$out/var/lib/systemd/random-seed"
    rnd "var/log/journal/$machine_id/system.journal" 65536
    rnd "var/log/journal/$machine_id/user-1000.journal" 16384
    d var/lib/systemd/coredump; rnd var/lib/systemd/coredump/core.bash.1000.zst 4096
else
    rnd var/lib/seedrng/seed.credit 512
fi

# --- network --------------------------------------------------------------------------------------------
f etc/udev/rules.d/70-persistent-net.rules "# This file was automatically generated by the /lib/udev/write_net_rules
SUBSYSTEM==\"net\", ACTION==\"add\", DRIVERS==\"?*\", ATTR{address}==\"$mac\", ATTR{dev_id}==\"0x0\", ATTR{type}==\"1\", KERNEL==\"eth*\", NAME=\"eth0\""
case "$distro" in
    debian12)
        f etc/network/interfaces "source /etc/network/interfaces.d/*
auto lo
iface lo inet loopback
allow-hotplug eth0
iface eth0 inet dhcp
    hwaddress ether $mac"
        exe usr/sbin/ifup
        f var/lib/dhcp/dhclient.eth0.leases "lease {
  interface \"eth0\";
  fixed-address 192.168.122.45;
  option dhcp-server-identifier 192.168.122.1;
  renew 3 2024/06/12 10:15:02;
}"
        # systemd-networkd enabled the Debian 12 way: a preset plus wants symlinks
        f etc/systemd/network/10-eth0.network "[Match]
MACAddress=$mac

[Network]
DHCP=yes"
        f usr/lib/systemd/system-preset/90-systemd.preset "enable systemd-networkd.service
enable systemd-resolved.service"
        ln_s /lib/systemd/system/systemd-networkd.service etc/systemd/system/multi-user.target.wants/systemd-networkd.service
        ln_s /lib/systemd/system/systemd-networkd.socket etc/systemd/system/sockets.target.wants/systemd-networkd.socket
        f run/systemd/netif/leases/2 "# This is private data. Do not parse.
ADDRESS=192.168.122.45"
        ;;
    ubuntu2404)
        f etc/netplan/50-cloud-init.yaml "network:
  version: 2
  ethernets:
    eth0:
      dhcp4: true
      match:
        macaddress: $mac
      set-name: eth0"
        chmod 600 "$out/etc/netplan/50-cloud-init.yaml"
        exe usr/sbin/netplan
        f run/systemd/netif/leases/2 "ADDRESS=192.168.122.46"
        ;;
    fedora40)
        exe usr/sbin/NetworkManager
        f etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection "[connection]
id=cloud-init eth0
type=ethernet

[ethernet]
mac-address=$mac

[ipv4]
method=auto"
        chmod 600 "$out/etc/NetworkManager/system-connections/cloud-init-eth0.nmconnection"
        f var/lib/NetworkManager/internal-4f1b6c1c-2a49-4a5c-9d43-8a4c63b0a7d1-eth0.lease "ADDRESS=192.168.122.47"
        f var/lib/NetworkManager/timestamps "[timestamps]
4f1b6c1c-2a49-4a5c-9d43-8a4c63b0a7d1=1718190000"
        ;;
    opensuse)
        exe usr/sbin/wicked
        f etc/sysconfig/network/ifcfg-eth0 "BOOTPROTO='dhcp'
STARTMODE='auto'
LLADDR='$mac'"
        f var/lib/wicked/lease-eth0-dhcp-ipv4.xml "<lease><ipv4:dhcp><address>192.168.122.48</address></ipv4:dhcp></lease>"
        ;;
    arch)
        f etc/systemd/network/20-wired.network "[Match]
MACAddress=$mac

[Network]
DHCP=yes"
        ;;
    alpine)
        f etc/network/interfaces "auto lo
iface lo inet loopback
auto eth0
iface eth0 inet dhcp"
        exe sbin/ifup
        f var/lib/udhcpc/udhcpc.eth0.lease "192.168.122.49"
        ;;
esac

# --- cloud-init -----------------------------------------------------------------------------------------
case "$distro" in
    debian12|ubuntu2404|fedora40|opensuse)
        exe usr/bin/cloud-init
        f etc/cloud/cloud.cfg "users:
  - default
datasource_list: [ NoCloud, ConfigDrive, None ]"
        f var/lib/cloud/instances/i-123/user-data.txt "#cloud-config
password: hunter2"
        rnd var/lib/cloud/instances/i-123/obj.pkl 2048
        f var/lib/cloud/instances/i-123/boot-finished "1718190000.0"
        f var/lib/cloud/data/instance-id "i-123"
        ln_s /var/lib/cloud/instances/i-123 var/lib/cloud/instance
        f var/lib/cloud/seed/nocloud/meta-data "instance-id: i-123
local-hostname: $distro-vm01"
        f var/lib/cloud/seed/nocloud/user-data "#cloud-config
ssh_authorized_keys: []"
        f var/log/cloud-init.log "2024-06-12 10:15:00,000 - util.py[DEBUG]: Cloud-init v. 24.1 running 'init-local'"
        f var/log/cloud-init-output.log "Cloud-init v. 24.1 finished"
        ;;
esac

# --- logs, caches, histories, temp files ----------------------------------------------------------------
case "$distro" in
    debian12|ubuntu2404)
        f var/log/syslog "Jun 12 10:15:02 $distro-vm01 systemd[1]: Started ssh.service."
        f var/log/auth.log "Jun 12 10:16:40 $distro-vm01 sshd[812]: Accepted publickey for $user from 192.168.122.1"
        f var/log/apt/history.log "Start-Date: 2024-06-12  10:20:01
Commandline: apt-get install -y nginx
End-Date: 2024-06-12  10:20:09"
        rnd var/log/apt/term.log 1024
        f var/log/dpkg.log "2024-06-12 10:20:05 status installed nginx:amd64 1.22.1-9"
        rnd var/cache/apt/pkgcache.bin 32768
        rnd var/cache/apt/archives/nginx_1.22.1-9_amd64.deb 8192
        d var/cache/apt/archives/partial
        d var/lib/apt/lists; f var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease "Origin: Debian"
        ;;
    fedora40|opensuse)
        f var/log/messages "Jun 12 10:15:02 $distro-vm01 systemd[1]: Started sshd.service."
        f var/log/secure "Jun 12 10:16:40 $distro-vm01 sshd[812]: Accepted publickey for $user"
        if [[ $distro == fedora40 ]]; then
            f var/log/dnf.log "2024-06-12T10:20:01+0000 DDEBUG Command: dnf install -y nginx"
            f var/log/dnf.rpm.log "2024-06-12T10:20:05+0000 SUBDEBUG Installed: nginx-1.24.0-4.fc40.x86_64"
            rnd var/cache/dnf/fedora-0f8e2c3d4b5a6978/repodata/primary.xml.zst 16384
            f var/cache/dnf/expired_repos.json "[]"
        else
            f var/log/zypper.log "2024-06-12 10:20:01 <1> $distro-vm01(812) [zypper] main.cc(main):148 ===== Hi, me zypper 1.14.73"
            rnd var/cache/zypp/packages/repo-oss/x86_64/nginx-1.21.5.x86_64.rpm 8192
        fi
        ;;
    arch)
        f var/log/pacman.log "[2024-06-12T10:20:01+0000] [PACMAN] Running 'pacman -S nginx'"
        rnd var/cache/pacman/pkg/nginx-1.26.1-1-x86_64.pkg.tar.zst 8192
        ;;
    alpine)
        f var/log/messages "Jun 12 10:15:02 $distro-vm01 daemon.info sshd[812]: Server listening on 0.0.0.0 port 22."
        rnd var/cache/apk/APKINDEX.5b0d3f1e.tar.gz 8192
        ;;
esac
rnd var/log/wtmp 768
rnd var/log/btmp 384
: > "$out/var/log/lastlog"
f root/.bash_history "sudo systemctl restart nginx
cat /etc/shadow"
chmod 600 "$out/root/.bash_history"
d "home/$user/.ssh"
f "home/$user/.bash_history" "ls -la
ssh admin@10.0.0.5"
f "home/$user/.ssh/authorized_keys" "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVzZXIta2V5LW5vdC1yZWFs user@laptop"
f "home/$user/.ssh/known_hosts" "10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtub3duLWhvc3Qtbm90LXJlYWw="
f etc/passwd "root:x:0:0:root:/root:/bin/bash
$user:x:1000:1000:$user:/home/$user:/bin/bash"
f etc/group "root:x:0:
$user:x:1000:"
f etc/shadow "root:*:19800:0:99999:7:::
$user:\$6\$saltsalt\$placeholderhash:19800:0:99999:7:::"
chmod 640 "$out/etc/shadow"
if [[ $is_root -eq 1 ]]; then
    chown -R 1000:1000 "$out/home/$user"
fi
f tmp/sess_8f2a1c "temporary session data"
d tmp/.X11-unix
f var/tmp/systemd-private-abc/tmp/leftover "x"
f etc/resolv.conf "nameserver 192.168.122.1"

echo "$out"
