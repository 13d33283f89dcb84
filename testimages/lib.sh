# lib.sh: helpers shared by make-test-images.sh and make-demo.sh (sourced, not run).
# No root and no loop devices: each file system is made as its own file with mke2fs -d, then copied into the
# disk image at its partition offset with dd conv=notrunc,sparse.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
# mke2fs stamps times from this instead of the clock, so rebuilt images differ only in the random payloads.
export E2FSPROGS_FAKE_TIME=${E2FSPROGS_FAKE_TIME:-1718190000}

require_tools() {
    local tool
    for tool in mke2fs sfdisk qemu-img ssh-keygen dd truncate; do
        command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
    done
}

# make_ext4 TREE IMAGE SIZE_MIB UUID LABEL
make_ext4() {
    local tree=$1 image=$2 size=$3 uuid=$4 label=$5
    # Fixed file times too, so two builds differ only where the content is random.
    find "$tree" -exec touch -h -d "@$E2FSPROGS_FAKE_TIME" {} +
    rm -f "$image"
    : > "$image"   # an existing file keeps mke2fs from announcing "Creating regular file"
    mke2fs -q -F -t ext4 -b 4096 -I 256 -U "$uuid" -L "$label" -E "hash_seed=$uuid,root_owner=0:0" \
        -d "$tree" "$image" "${size}M"
}

# split_out TREE DIR NEWTREE: moves TREE/DIR into NEWTREE and leaves an empty mount point behind.
split_out() {
    local tree=$1 dir=$2 new=$3
    mv "$tree/$dir" "$new"
    mkdir "$tree/$dir"
    chmod 755 "$tree/$dir"
}

# place FS_IMAGE DISK_IMAGE START_SECTOR
place() {
    dd if="$1" of="$2" bs=512 seek="$3" conv=notrunc,sparse status=none
}

# Partition layout shared by the two-partition images: 64 MiB disk, p1 at 1 MiB (40 MiB), p2 after it (22 MiB).
DISK_MIB=64
P1_START=2048
P1_SECTORS=81920
P2_START=83968
P2_SECTORS=45056

# make_gpt_disk DISK P1_FS P2_FS (GUIDs fixed so fstab PARTUUID= and tests can rely on them)
make_gpt_disk() {
    local disk=$1
    rm -f "$disk"
    truncate -s "${DISK_MIB}M" "$disk"
    sfdisk -q --no-reread --no-tell-kernel "$disk" <<SFDISK
label: gpt
label-id: 5EA1E12A-0000-4000-8000-0000000000D1
unit: sectors
first-lba: 2048
start=$P1_START, size=$P1_SECTORS, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=5EA1E12A-0000-4000-8000-000000000001, name="root"
start=$P2_START, size=$P2_SECTORS, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=5EA1E12A-0000-4000-8000-000000000002, name="var"
SFDISK
    place "$2" "$disk" "$P1_START"
    place "$3" "$disk" "$P2_START"
}

# make_mbr_disk DISK P1_FS P2_FS
make_mbr_disk() {
    local disk=$1
    rm -f "$disk"
    truncate -s "${DISK_MIB}M" "$disk"
    sfdisk -q --no-reread --no-tell-kernel "$disk" <<SFDISK
label: dos
label-id: 0x5ea1e12a
unit: sectors
start=$P1_START, size=$P1_SECTORS, type=83, bootable
start=$P2_START, size=$P2_SECTORS, type=83
SFDISK
    place "$2" "$disk" "$P1_START"
    place "$3" "$disk" "$P2_START"
}
