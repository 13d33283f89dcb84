#!/usr/bin/env bash
# make-hostile-trees.sh OUTDIR
# Guest trees for `sealer ... --dir` that try to reach the host, next to a decoy "host" directory they aim at.
# OUTDIR (created, must be empty or absent) receives:
#   decoy/            files standing for the host's own: machine-id, hostname, hosts, secret, bash_history, log/...
#   hostile/          a debian12 tree (make-guest-tree.sh) where
#                       - /etc/hostname is an absolute symlink to decoy/hostname, /etc/ssh/ssh_host_evil_key to decoy/secret,
#                       - /var/log/hostlog is an absolute symlink to decoy/log, /var/tmp/up a '..' symlink climbing to decoy/,
#                       - /var/cache/apt/up.bin a '..' symlink to decoy/secret,
#                       - /etc/machine-id, /etc/hosts and /root/.bash_history are hard links to decoy files,
#                       - /var/log/fifo.log and /tmp/fifo are FIFOs, /tmp/dev-null a character device (as root only),
#                       - /etc/systemd is a dangling symlink (to /usr/lib/systemd-missing).
#   fifo-machine-id/  a debian12 tree whose /etc/machine-id and /etc/hostname are FIFOs (a reader would block forever).
#   dangling-etc/     a fedora40 tree whose /etc is a dangling symlink (to /nonexistent-etc); os-release is in /usr/lib.
# Bind mounts need root and are made by the tests themselves (mount --bind decoy/log hostile/var/log/...).
# The decoy must be on the same file system as the trees (hard links), so both live under OUTDIR.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
if [[ -e "$out" ]] && [[ -n "$(ls -A "$out")" ]]; then
    echo "$0: $out is not empty" >&2
    exit 2
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

decoy=$out/decoy
mkdir -p "$decoy/log/journal"
printf '%s\n' 0123456789abcdef0123456789abcdef > "$decoy/machine-id"
printf '%s\n' the-real-host > "$decoy/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tthe-real-host\n' > "$decoy/hosts"
printf '%s\n' 'host secret: do not delete' > "$decoy/secret"
printf '%s\n' 'ls /root' 'cat /etc/shadow' > "$decoy/bash_history"
printf '%s\n' 'Dec  1 host syslog line' > "$decoy/log/syslog"
printf '%s\n' 'host journal' > "$decoy/log/journal/system.journal"

# --- hostile: every escape at once -------------------------------------------------------------------------
t=$out/hostile
bash "$here/make-guest-tree.sh" debian12 "$t" > /dev/null
rm -f "$t/etc/hostname"
ln -s "$decoy/hostname" "$t/etc/hostname"
ln -s "$decoy/secret" "$t/etc/ssh/ssh_host_evil_key"
ln -s "$decoy/log" "$t/var/log/hostlog"
# '..' links: enough levels to climb out of the tree from where they sit, then down into the decoy.
ln -s ../../../../../../../../../../../../..$decoy "$t/var/tmp/up"
mkdir -p "$t/var/cache/apt"
ln -s ../../../../../../../../../../../../..$decoy/secret "$t/var/cache/apt/up.bin"
rm -f "$t/etc/machine-id" "$t/etc/hosts"
ln "$decoy/machine-id" "$t/etc/machine-id"
ln "$decoy/hosts" "$t/etc/hosts"
rm -f "$t/root/.bash_history"
ln "$decoy/bash_history" "$t/root/.bash_history"
mkfifo "$t/var/log/fifo.log" "$t/tmp/fifo"
if [[ $(id -u) -eq 0 ]]; then
    mknod "$t/tmp/dev-null" c 1 3
fi
rm -rf "$t/etc/systemd"
ln -s /usr/lib/systemd-missing "$t/etc/systemd"

# --- fifo-machine-id -----------------------------------------------------------------------------------------
t=$out/fifo-machine-id
bash "$here/make-guest-tree.sh" debian12 "$t" > /dev/null
rm -f "$t/etc/machine-id" "$t/etc/hostname"
mkfifo "$t/etc/machine-id" "$t/etc/hostname"

# --- dangling-etc --------------------------------------------------------------------------------------------
t=$out/dangling-etc
bash "$here/make-guest-tree.sh" fedora40 "$t" > /dev/null
rm -rf "$t/etc"
ln -s /nonexistent-etc "$t/etc"

echo "$out/decoy $out/hostile $out/fifo-machine-id $out/dangling-etc"
