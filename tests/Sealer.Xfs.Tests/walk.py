# Lists a mounted file system (argv[1]) one line per path, the way the tests list it through the managed reader.
import os, sys, stat, hashlib
root = sys.argv[1]
def line(rel, full):
    st = os.lstat(full)
    m = st.st_mode
    kind = "f" if stat.S_ISREG(m) else "d" if stat.S_ISDIR(m) else "l" if stat.S_ISLNK(m) else "c" if stat.S_ISCHR(m) \
        else "b" if stat.S_ISBLK(m) else "p" if stat.S_ISFIFO(m) else "s"
    extra = ""
    if kind == "f":
        h = hashlib.sha256()
        with open(full, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
        extra = h.hexdigest()
    elif kind == "l":
        extra = os.readlink(full)
    names = sorted(os.listxattr(full, follow_symlinks=False))
    attrs = ";".join("%s=%s" % (n, os.getxattr(full, n, follow_symlinks=False).hex()) for n in names)
    return "\t".join(str(x) for x in (rel, kind, "%o" % stat.S_IMODE(m), st.st_uid, st.st_gid, st.st_size, st.st_nlink,
        st.st_ino, st.st_atime_ns // 10**9, st.st_mtime_ns // 10**9, st.st_ctime_ns // 10**9, extra, attrs))
out = [line("/", root)]
for dirpath, dirnames, filenames in os.walk(root):
    for name in dirnames + filenames:
        full = os.path.join(dirpath, name)
        out.append(line("/" + os.path.relpath(full, root), full))
sys.stdout.write("\n".join(out) + "\n")
