#!/usr/bin/env bash
# make-demo.sh [OUTPUT]
# Makes the bundled demo image (default testimages/demo.qcow2): a used-looking Debian 12 guest on a 64 MiB
# GPT disk (p1 root, p2 /var, fstab by UUID), as a sparse, uncompressed qcow2 of about 2 MiB (uncompressed so readers and in-place writers need no compressed-cluster support). UUIDs are fixed;
# only the SSH host keys and random payloads differ between runs.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_tools
output=${1:-$here/demo.qcow2}
work=$(mktemp -d "${TMPDIR:-/tmp}/sealer-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

ROOT_UUID=de300000-0000-4000-8000-000000000001
VAR_UUID=de300000-0000-4000-8000-000000000002
ROOT_UUID=$ROOT_UUID VAR_UUID=$VAR_UUID "$here/make-guest-tree.sh" debian12 "$work/tree" >/dev/null
split_out "$work/tree" var "$work/var"
make_ext4 "$work/tree" "$work/root.ext4" 40 "$ROOT_UUID" root
make_ext4 "$work/var" "$work/var.ext4" 22 "$VAR_UUID" var
make_gpt_disk "$work/demo.raw" "$work/root.ext4" "$work/var.ext4"
rm -f "$output"
qemu-img convert -f raw -O qcow2 "$work/demo.raw" "$output"
echo "made $output ($(du -h "$output" | cut -f1) on disk, $DISK_MIB MiB virtual): GPT p1 root UUID=$ROOT_UUID, p2 /var UUID=$VAR_UUID"
