#!/usr/bin/env bash
# make-test-images.sh OUTDIR
# Builds small test disk images from make-guest-tree.sh trees (no root, no loop devices):
#   debian12-gpt.raw     GPT: p1 root (ext4), p2 /var (ext4); fstab by UUID
#   debian12-gpt.qcow2   the same disk as qcow2
#   fedora40-mbr.raw     MBR: p1 root (ext4, bootable), p2 /home (ext4, LABEL=home); fstab by UUID and LABEL
#   ubuntu2404-whole.raw no partition table: one ext4 file system over the whole disk
# UUIDs and GUIDs are fixed (see below) so tests can look for them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_tools
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sealer-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

DEBIAN_ROOT_UUID=d1e2b3a4-0000-4000-8000-0000000000a1
DEBIAN_VAR_UUID=d1e2b3a4-0000-4000-8000-0000000000a2
FEDORA_ROOT_UUID=fe0d0a40-0000-4000-8000-0000000000b1
FEDORA_HOME_UUID=fe0d0a40-0000-4000-8000-0000000000b2
UBUNTU_ROOT_UUID=0b0e7e24-0000-4000-8000-0000000000c1

# The three trees are independent: build them in parallel.
ROOT_UUID=$DEBIAN_ROOT_UUID VAR_UUID=$DEBIAN_VAR_UUID "$here/make-guest-tree.sh" debian12 "$work/debian12" >/dev/null &
ROOT_UUID=$FEDORA_ROOT_UUID HOME_LABEL=home "$here/make-guest-tree.sh" fedora40 "$work/fedora40" >/dev/null &
ROOT_UUID=$UBUNTU_ROOT_UUID "$here/make-guest-tree.sh" ubuntu2404 "$work/ubuntu2404" >/dev/null &
wait %1 && wait %2 && wait %3

# (a) + (b) debian12, GPT, separate /var
split_out "$work/debian12" var "$work/debian12-var"
make_ext4 "$work/debian12" "$work/d-root.ext4" 40 "$DEBIAN_ROOT_UUID" root
make_ext4 "$work/debian12-var" "$work/d-var.ext4" 22 "$DEBIAN_VAR_UUID" var
make_gpt_disk "$out/debian12-gpt.raw" "$work/d-root.ext4" "$work/d-var.ext4"
qemu-img convert -f raw -O qcow2 "$out/debian12-gpt.raw" "$out/debian12-gpt.qcow2"

# (c) fedora40, MBR, separate /home by LABEL
split_out "$work/fedora40" home "$work/fedora40-home"
make_ext4 "$work/fedora40" "$work/f-root.ext4" 40 "$FEDORA_ROOT_UUID" fedora_root
make_ext4 "$work/fedora40-home" "$work/f-home.ext4" 22 "$FEDORA_HOME_UUID" home
make_mbr_disk "$out/fedora40-mbr.raw" "$work/f-root.ext4" "$work/f-home.ext4"

# (d) ubuntu2404, whole-disk ext4
make_ext4 "$work/ubuntu2404" "$out/ubuntu2404-whole.raw" "$DISK_MIB" "$UBUNTU_ROOT_UUID" cloudimg-rootfs

echo "made in $out:"
echo "  debian12-gpt.raw      raw, GPT (label-id 5EA1E12A-...-0000000000D1): p1 root UUID=$DEBIAN_ROOT_UUID, p2 /var UUID=$DEBIAN_VAR_UUID"
echo "  debian12-gpt.qcow2    qcow2 copy of debian12-gpt.raw"
echo "  fedora40-mbr.raw      raw, MBR (0x5ea1e12a): p1 root UUID=$FEDORA_ROOT_UUID, p2 /home LABEL=home UUID=$FEDORA_HOME_UUID"
echo "  ubuntu2404-whole.raw  raw, no partition table: ext4 UUID=$UBUNTU_ROOT_UUID LABEL=cloudimg-rootfs"
