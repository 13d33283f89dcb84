#!/usr/bin/env bash
# Runs every test. Installs the test oracles (qemu-img, e2fsprogs, sfdisk, ssh-keygen, xfsprogs, lvm2, ...) first when
# they are missing.
# Ends with one plain line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-img >/dev/null 2>&1 || need+=(qemu-utils)
command -v sfdisk >/dev/null 2>&1 || [ -x /usr/sbin/sfdisk ] || need+=(fdisk)
command -v sgdisk >/dev/null 2>&1 || [ -x /usr/sbin/sgdisk ] || need+=(gdisk)
[ -x /usr/sbin/e2fsck ] || [ -x /sbin/e2fsck ] || need+=(e2fsprogs)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v setfattr >/dev/null 2>&1 || need+=(attr)
[ -x /usr/sbin/mkfs.xfs ] || [ -x /sbin/mkfs.xfs ] || need+=(xfsprogs)
[ -x /usr/sbin/lvm ] || [ -x /sbin/lvm ] || need+=(lvm2)
[ -x /usr/sbin/cryptsetup ] || [ -x /sbin/cryptsetup ] || need+=(cryptsetup-bin)
[ -x /usr/sbin/mkfs.btrfs ] || [ -x /sbin/mkfs.btrfs ] || need+=(btrfs-progs)
[ -x /usr/sbin/mkfs.vfat ] || [ -x /sbin/mkfs.vfat ] || need+=(dosfstools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing test oracles: ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing test tools (${need[*]}); install them with: sudo apt-get install -y ${need[*]}" >&2
  fi
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
dotnet test Sealer.sln -c Release --logger "trx" --results-directory "$results" "$@"
rc=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get total) - $(get executed)))   # NUnit Assume/Ignore: counted in total, not executed
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build or a test host failed before any result was written
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
