# Writes a mkfs.xfs prototype file (stdout) describing the host tree argv[1].
import os, sys, stat
def spec(st):
    m = st.st_mode
    t = "-" if stat.S_ISREG(m) else "d" if stat.S_ISDIR(m) else "l" if stat.S_ISLNK(m) else "c" if stat.S_ISCHR(m) \
        else "b" if stat.S_ISBLK(m) else "p"
    return "%s%s%s%03o %d %d" % (t, "u" if m & stat.S_ISUID else "-", "g" if m & stat.S_ISGID else "-", m & 0o777, st.st_uid, st.st_gid)
def emit(path, depth):
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        st = os.lstat(full)
        line = "%s %s" % (name, spec(st))
        if stat.S_ISREG(st.st_mode): line += " " + full
        elif stat.S_ISLNK(st.st_mode): line += " " + os.readlink(full)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode): line += " %d %d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        print(" " * depth + line)
        if stat.S_ISDIR(st.st_mode):
            emit(full, depth + 1)
            print(" " * depth + "$")
print("/dev/null")
print("0 0")
print(spec(os.lstat(sys.argv[1])))
emit(sys.argv[1], 1)
print("$")
