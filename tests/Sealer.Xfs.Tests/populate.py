# Populates a mounted XFS file system (argv[1]) with every shape the reader must handle. argv[2] = "big" adds
# directories large enough for the node and btree formats. Deterministic content (seeded), fixed times.
import os, sys, random
root, big = sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == "big"
# "proto": a host tree for mkfs.xfs -p (no hard links, holes, preallocation or xattrs, which a prototype cannot carry).
proto = len(sys.argv) > 2 and sys.argv[2] == "proto"
rnd = random.Random(11)
def p(*parts): return os.path.join(root, *parts)
def write(path, data):
    with open(path, "wb") as f: f.write(data)
def data(n): return bytes(rnd.getrandbits(8) for _ in range(n)) if n < 65536 else rnd.randbytes(n)

os.makedirs(p("etc/sub/deeper"))
write(p("etc/hostname"), b"xfs-guest\n")
write(p("etc/sub/deeper/leaf.txt"), b"deep\n")
write(p("empty"), b"")
write(p("medium.bin"), data(5000))
write(p("big.bin"), data(3_000_000))
if not proto: os.link(p("big.bin"), p("hardlink.bin"))
os.symlink("big.bin", p("short-link"))
os.symlink("/" + "/".join(["component%03d" % i for i in range(60)]), p("long-link"))
os.symlink("x" * 1000, p("max-link"))
os.mkfifo(p("fifo"))
os.mknod(p("null"), 0o20666, os.makedev(1, 3))
os.mknod(p("loop0"), 0o60660, os.makedev(7, 0))
os.mkdir(p("emptydir"))
write(p("owned"), b"owned\n"); os.chown(p("owned"), 1000, 1001); os.chmod(p("owned"), 0o4750)
os.chmod(p("etc/hostname"), 0o644)

# Fragmented file: one block written every other block, so each is its own extent (btree data fork).
with open(p("fragmented.bin"), "wb") as f:
    for i in range(400):
        f.seek(i * 8192); f.write(data(4096))
# Sparse file with a large hole, and a preallocated (unwritten) range.
if not proto:
    with open(p("sparse.bin"), "wb") as f:
        f.write(b"head"); f.seek(1 << 30); f.write(b"tail")
    with open(p("prealloc.bin"), "wb") as f:
        os.posix_fallocate(f.fileno(), 0, 1 << 20); f.write(b"start")

# A reflinked copy (FICLONE) shares big.bin's extents where reflink is on; a plain copy elsewhere.
if not proto:
    import fcntl, shutil
    with open(p("big.bin"), "rb") as src, open(p("reflinked.bin"), "wb") as dst:
        try: fcntl.ioctl(dst.fileno(), 0x40049409, src.fileno())
        except OSError: shutil.copyfileobj(src, dst)

# Extended attributes: SELinux labels, shortform, a remote value, and enough names for leaf and node forks.
def setx(path, name, value, follow=True):
    if not proto: os.setxattr(path, name, value, follow_symlinks=follow)
setx(p("etc/hostname"), "security.selinux", b"system_u:object_r:etc_t:s0\0")
setx(p("etc"), "security.selinux", b"system_u:object_r:etc_t:s0\0")
setx(p("short-link"), "security.selinux", b"system_u:object_r:user_home_t:s0\0", False)
setx(p("medium.bin"), "user.small", b"v")
setx(p("medium.bin"), "trusted.t", b"trusted value")
write(p("remote-attr"), b"r")
setx(p("remote-attr"), "user.big", data(3000))
setx(p("remote-attr"), "security.selinux", b"system_u:object_r:var_t:s0\0")
write(p("leaf-attrs"), b"l")
for i in range(40): setx(p("leaf-attrs"), "user.attr%03d" % i, b"value-%d" % i)
write(p("node-attrs"), b"n")
for i in range(600): setx(p("node-attrs"), "user.a-longer-attribute-name-%05d" % i, data(60))

# Directories in each format: shortform, block, leaf, node (and btree when big).
os.mkdir(p("dir-short")); [write(p("dir-short", "f%d" % i), b"") for i in range(3)]
os.mkdir(p("dir-block")); [write(p("dir-block", "entry-with-a-longer-name-%03d" % i), b"") for i in range(40)]
os.mkdir(p("dir-leaf")); [write(p("dir-leaf", "entry-with-a-longer-name-%04d" % i), b"") for i in range(300)]
os.mkdir(p("dir-node")); [write(p("dir-node", "entry-with-a-much-longer-name-for-node-%05d" % i), b"") for i in range(3000)]
os.mkdir(p("dir-node", "subdir"))
for i in range(100): os.remove(p("dir-node", "entry-with-a-much-longer-name-for-node-%05d" % (i * 7)))
if big:
    # Two directories filled in turn, so their blocks interleave and each needs many extents (btree fork).
    os.mkdir(p("dir-btree-a")); os.mkdir(p("dir-btree-b"))
    for i in range(12000):
        for d in ("dir-btree-a", "dir-btree-b"):
            write(p(d, "a-fairly-long-entry-name-to-fill-blocks-quickly-%06d" % i), b"")
            if i % 50 == 0:
                os.fsync(os.open(p(d), os.O_RDONLY))

if proto: sys.exit(0)
for path, t in ((p("etc/hostname"), 1234567890), (p("empty"), 0), (p("medium.bin"), 2_000_000_000)):
    os.utime(path, (t, t), follow_symlinks=False)
os.utime(p("short-link"), (1_500_000_000, 1_500_000_001), follow_symlinks=False)
