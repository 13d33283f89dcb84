#!/usr/bin/env bash
# Builds a real Debian 12 guest tree with debootstrap (systemd, dbus, openssh-server, cloud-init, netplan, ifupdown)
# into DIR (default /var/tmp/sealer-debian12), for the end-to-end test and the benchmark. Needs root and Debian's
# package mirror. Prints DIR on success. Re-uses a finished tree.
set -euo pipefail
dir=${1:-/var/tmp/sealer-debian12}
if [ -f "$dir/.sealer-complete" ]; then echo "$dir"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "debian-tree.sh: needs root (debootstrap)" >&2; exit 1; fi
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
rm -rf "$dir"
mirror=${SEALER_DEBIAN_MIRROR:-$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)}
# python3-cffi-backend: debootstrap does not resolve the virtual package python3-cryptography needs.
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,openssh-server,cloud-init,netplan.io,ifupdown,isc-dhcp-client,python3-cffi-backend \
  bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
# Make it look used: a hostname, a lease, a shell history, a log line.
echo "golden-builder" > "$dir/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tgolden-builder\n' > "$dir/etc/hosts"
mkdir -p "$dir/var/lib/dhcp" "$dir/root"
printf 'lease {\n  interface "eth0";\n  fixed-address 10.0.2.15;\n}\n' > "$dir/var/lib/dhcp/dhclient.eth0.leases"
echo "apt-get install nginx" > "$dir/root/.bash_history"
echo "Nov 25 10:00:00 golden-builder sshd[1]: Server listening" > "$dir/var/log/auth.log"
touch "$dir/.sealer-complete"
echo "$dir"
