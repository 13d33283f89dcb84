#!/usr/bin/env bash
# make-seeds.sh OUTDIR
# Writes small seed inputs for the fuzz targets of tests/Sealer.Fuzz into OUTDIR/<target>/ (see docs/fuzzing.md).
# Needs qemu-img, qemu-io, sfdisk, mke2fs, debugfs. Fixed UUIDs, hash seeds and times: the same tools give the
# same bytes. The harness cuts trailing zeros from ext4 and disk seeds (Sealer.Fuzz seeds does that too).
set -euo pipefail
if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"/{qcow2,qcow2-write,partitions,ext4,journal,write}
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export E2FSPROGS_FAKE_TIME=1764590400 SOURCE_DATE_EPOCH=1764590400
PATH=$PATH:/usr/sbin:/sbin

# --- qcow2 ------------------------------------------------------------------------------------------------
raw=$work/content.raw
truncate -s 2M "$raw"
printf 'sealer fuzz seed data %.0s' {1..400} | dd of="$raw" conv=notrunc status=none
printf 'cluster at one MiB %.0s' {1..200} | dd of="$raw" bs=1024 seek=1024 conv=notrunc status=none
printf 'last cluster %.0s' {1..100} | dd of="$raw" bs=1024 seek=2044 conv=notrunc status=none
q() { qemu-img convert -q -f raw -O qcow2 "$@"; }
q -o compat=1.1,cluster_size=4096 "$raw" "$out/qcow2/v3-4k.qcow2"
q -o compat=0.10,cluster_size=512 "$raw" "$out/qcow2/v2-512.qcow2"
q -c -o compat=1.1,cluster_size=4096 "$raw" "$out/qcow2/zlib-4k.qcow2"
q -c -o compat=1.1,cluster_size=4096,compression_type=zstd "$raw" "$out/qcow2/zstd-4k.qcow2"
q -o compat=1.1,cluster_size=16384,extended_l2=on "$raw" "$out/qcow2/extl2-16k.qcow2"
q -o compat=1.1,cluster_size=4096,refcount_bits=1 "$raw" "$out/qcow2/refcount1-4k.qcow2"
cp "$out/qcow2/v3-4k.qcow2" "$out/qcow2/snapshot-4k.qcow2"
qemu-img snapshot -c s1 "$out/qcow2/snapshot-4k.qcow2"
qemu-io -f qcow2 -c "write -P 0x55 0 8k" -c "write -P 0x66 1028k 4k" "$out/qcow2/snapshot-4k.qcow2" >/dev/null
cp "$out/qcow2/v3-4k.qcow2" "$out/qcow2/bitmap-4k.qcow2"
qemu-img bitmap --add "$out/qcow2/bitmap-4k.qcow2" b0 2>/dev/null || rm -f "$out/qcow2/bitmap-4k.qcow2"
for s in v3-4k v2-512 zlib-4k snapshot-4k; do cp "$out/qcow2/$s.qcow2" "$out/qcow2-write/"; done

# --- partition tables ---------------------------------------------------------------------------------------
disk() {  # disk NAME SECTORS  (sfdisk script on stdin)
    truncate -s $(($2 * 512)) "$work/$1"
    sfdisk -q --no-reread --no-tell-kernel --wipe never "$work/$1" >/dev/null
    cp "$work/$1" "$out/partitions/$1"
}
disk gpt.img 256 <<'S'
label: gpt
label-id: 5EA1E12A-0000-4000-8000-0000000000F1
first-lba: 34
start=34, size=40, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=5EA1E12A-0000-4000-8000-000000000001, name=root
start=74, size=60, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=5EA1E12A-0000-4000-8000-000000000002, name=var
start=134, size=80, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=5EA1E12A-0000-4000-8000-000000000003, name=swap
S
disk mbr-logicals.img 256 <<'S'
label: dos
label-id: 0x5ea1e12a
start=2, size=30, type=83, bootable
start=32, size=200, type=5
start=34, size=40, type=83
start=76, size=60, type=83
start=138, size=90, type=82
S
disk mbr-primaries.img 128 <<'S'
label: dos
label-id: 0x00c0ffee
start=1, size=31, type=83
start=32, size=32, type=83
start=64, size=32, type=7
start=96, size=32, type=ef
S

# --- ext4 trees -------------------------------------------------------------------------------------------
tree=$work/tree
mkdir -p "$tree"/{etc/ssh,etc/udev/rules.d,root,tmp,usr/bin,usr/lib/systemd,var/log/journal/0123456789abcdef0123456789abcdef,var/lib/systemd,var/lib/dhcp,many}
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$tree/usr/lib/os-release"
ln -s ../usr/lib/os-release "$tree/etc/os-release"
echo debian-vm01 > "$tree/etc/hostname"
echo 0123456789abcdef0123456789abcdef > "$tree/etc/machine-id"
printf '127.0.0.1 localhost\n127.0.1.1 debian-vm01\n' > "$tree/etc/hosts"
printf 'root:x:0:0:root:/root:/bin/bash\ndebian:x:1000:1000::/home/debian:/bin/bash\n' > "$tree/etc/passwd"
printf 'root:x:0:\ndebian:x:1000:\n' > "$tree/etc/group"
printf 'root:*:19000:0:99999:7:::\n' > "$tree/etc/shadow"
printf 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFuzzFuzzFuzz root@debian-vm01\n' > "$tree/etc/ssh/ssh_host_ed25519_key.pub"
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nfuzz\n-----END OPENSSH PRIVATE KEY-----\n' > "$tree/etc/ssh/ssh_host_ed25519_key"
printf 'SUBSYSTEM=="net", ATTR{address}=="52:54:00:12:34:56", NAME="eth0"\n' > "$tree/etc/udev/rules.d/70-persistent-net.rules"
: > "$tree/usr/lib/systemd/libsystemd-shared-252.so"
ln -s usr/bin "$tree/bin"
ln -s /usr/lib/systemd/a/very/long/symlink/target/that/does/not/fit/in/the/inode/block/map "$tree/usr/long-link"
head -c 512 /dev/zero | tr '\0' 'r' > "$tree/var/lib/systemd/random-seed"
printf 'lease { fixed-address 10.0.0.5; }\n' > "$tree/var/lib/dhcp/dhclient.eth0.leases"
for i in $(seq 1 300); do echo "Dec  1 12:00:$((i % 60)) debian-vm01 kernel: line $i"; done > "$tree/var/log/syslog"
for i in $(seq 1 2000); do printf 'journal-entry-%05d\n' "$i"; done > "$tree/var/log/journal/0123456789abcdef0123456789abcdef/system.journal"
printf 'ls\ncat /etc/shadow\n' > "$tree/root/.bash_history"
echo scratch > "$tree/tmp/scratch"
for i in $(seq 1 48); do echo "$i" > "$tree/many/a-long-directory-entry-name-to-need-several-blocks-$i"; done
ln "$tree/etc/hosts" "$tree/many/hosts-hardlink"
for i in $(seq 1 12000); do printf 'block-mapped-%06d\n' "$i"; done > "$tree/usr/bin/big"
echo 'UUID=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 / ext4 defaults 0 1' > "$tree/etc/fstab"

fs() {  # fs NAME SIZE_KIB mke2fs-options...
    local name=$1 size=$2
    shift 2
    rm -f "$work/$name"
    mke2fs -q -F -U 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0 -E hash_seed=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1,root_owner=0:0 \
        -d "$tree" "$@" "$work/$name" "$size" >/dev/null
}
fs ext4-csum.img 2048 -t ext4 -b 1024 -N 160 -O ^has_journal,metadata_csum,64bit
fs ext4-nocsum.img 2048 -t ext4 -b 1024 -N 160 -O ^has_journal,^metadata_csum,^64bit
fs ext2.img 2048 -t ext2 -b 1024 -N 160
fs ext4-inline-4k.img 1024 -t ext4 -b 4096 -N 160 -O ^has_journal,inline_data
for f in ext4-csum ext4-nocsum ext2 ext4-inline-4k; do cp "$work/$f.img" "$out/ext4/"; done
for f in ext4-csum ext4-nocsum ext2; do cp "$work/$f.img" "$out/write/"; done

# --- journals (debugfs writes committed transactions; the file system is left needing recovery) --------------
journal() {  # journal NAME JO-OPTIONS mke2fs-options...
    local name=$1 jo=$2
    shift 2
    fs "$name" 3072 -t ext4 -b 1024 -N 160 -J size=1 "$@"
    local free
    free=$(debugfs -R "ffb 6 2900" "$work/$name" 2>/dev/null | sed 's/.*: //')
    read -r b0 b1 b2 b3 b4 b5 <<<"$free"
    head -c 3072 /dev/urandom > "$work/data.bin"
    printf '\xc0\x3b\x39\x98' | dd of="$work/data.bin" bs=1 seek=1024 conv=notrunc status=none
    debugfs -w -f - "$work/$name" >/dev/null 2>&1 <<J
$jo
jw -b $b0,$b1,$b2 $work/data.bin
jw -r $b1
jw -b $b3 $work/data.bin
jw -b $b4,$b5 -c $work/data.bin
jc
J
    cp "$work/$name" "$out/journal/"
}
journal journal-csum3.img "jo -c" -O metadata_csum,64bit
journal journal-plain.img "jo" -O ^metadata_csum,^64bit
