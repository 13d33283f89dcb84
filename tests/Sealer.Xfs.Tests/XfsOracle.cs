using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Xfs.Tests;

/// <summary>Fixtures made by mkfs.xfs and populated through a kernel loop mount; the kernel's own view (ro mount
/// walked by walk.py), xfs_repair -n and xfs_db are the oracles.</summary>
internal static class XfsOracle
{
    private static readonly object MountLock = new();

    public static void Require()
    {
        foreach (var tool in new[] { "mkfs.xfs", "xfs_repair", "xfs_db", "python3", "mount", "umount" })
        {
            ExternalTool.Require(tool);
        }

        Assume.That(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || IsRoot(), Is.True,
            "XFS fixtures need root for loop mounts");
    }

    /// <summary>mkfs.xfs with <paramref name="options"/> on a sparse image, populated by populate.py through a loop
    /// mount, then checked clean with xfs_repair -n.</summary>
    public static string MakeImage(TempDirectory tmp, string options, bool big, long size = 320L << 20)
    {
        var image = tmp.File("xfs.img");
        using (var f = File.Create(image))
        {
            f.SetLength(size);
        }

        var args = new List<string> { "-q", "-f" };
        args.AddRange(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.Add(image);
        var r = ExternalTool.Run("mkfs.xfs", args);
        Assert.That(r.ExitCode, Is.Zero, $"mkfs.xfs {string.Join(' ', args)}: {r}");
        WithMount(tmp, image, "loop", mnt =>
        {
            var p = ExternalTool.Run("python3", [Script("populate.py"), mnt, big ? "big" : "small"]);
            Assert.That(p.ExitCode, Is.Zero, $"populate.py: {p}");
            return 0;
        });
        AssertRepairClean(image, "fresh fixture");
        return image;
    }

    /// <summary>A v4 fixture: the running kernel may lack v4 support (CONFIG_XFS_SUPPORT_V4 is going away), so the
    /// tree is built on the host and copied in by mkfs.xfs -p. A prototype carries no extended attributes, and
    /// xfs_db 6.1's attr_set crashes at random on v4, so v4 fixtures have none. Returns the image and the host tree
    /// (the oracle for content).</summary>
    public static (string Image, string Host) MakeProtoImage(TempDirectory tmp, string options)
    {
        var host = tmp.File("host");
        Directory.CreateDirectory(host);
        ExternalTool.Check("python3", Script("populate.py"), host, "proto");
        var proto = tmp.File("proto.txt");
        File.WriteAllText(proto, ExternalTool.Check("python3", Script("genproto.py"), host));
        var image = tmp.File("xfs.img");
        using (var f = File.Create(image))
        {
            f.SetLength(320L << 20);
        }

        var args = new List<string> { "-q", "-f", "-p", proto };
        args.AddRange(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.Add(image);
        var r = ExternalTool.Run("mkfs.xfs", args);
        Assert.That(r.ExitCode, Is.Zero, $"mkfs.xfs {string.Join(' ', args)}: {r}");

        AssertRepairClean(image, "fresh prototype fixture");
        return (image, host);
    }

    /// <summary>The host tree's listing in the same format (walk.py).</summary>
    public static SortedDictionary<string, string> HostListing(string host) => ToMap(ExternalTool.Check("python3", Script("walk.py"), host));

    /// <summary>xfs_db's "ls" of a directory: name to (inode number, type word).</summary>
    public static Dictionary<string, (ulong Inode, string Type)> DbList(string image, string dir)
    {
        var result = new Dictionary<string, (ulong, string)>(StringComparer.Ordinal);
        foreach (var line in XfsDb(image, $"ls {dir}").Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 6 && ulong.TryParse(f[1], out var ino))
            {
                result[string.Join(' ', f[5..^1])] = (ino, f[2]);
            }
        }

        return result;
    }

    public static void AssertRepairClean(string image, string when)
    {
        var r = ExternalTool.Run("xfs_repair", "-n", "-f", image);
        Assert.That(r.ExitCode, Is.Zero, $"xfs_repair -n after {when}: {r}");
    }

    /// <summary>The kernel's view: a read-only, no-recovery loop mount walked by walk.py, one line per path.</summary>
    public static SortedDictionary<string, string> KernelListing(TempDirectory tmp, string image) =>
        WithMount(tmp, image, "loop,ro,norecovery", mnt =>
        {
            var r = ExternalTool.Run("python3", Script("walk.py"), mnt);
            Assert.That(r.ExitCode, Is.Zero, $"walk.py: {r}");
            return ToMap(r.StdOut);
        });

    /// <summary>The same listing through the managed reader.</summary>
    public static SortedDictionary<string, string> ManagedListing(XfsFileSystem fs)
    {
        var lines = new StringBuilder();
        Walk(fs, "/", lines);
        return ToMap(lines.ToString());
    }

    public static string XfsDb(string image, params string[] commands)
    {
        var args = new List<string> { "-r" };
        foreach (var c in commands)
        {
            args.Add("-c");
            args.Add(c);
        }

        args.Add(image);
        var r = ExternalTool.Run("xfs_db", args);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        return r.StdOut;
    }

    /// <summary>A field of an xfs_db "print" line ("core.format = 3 (btree)" gives "3 (btree)").</summary>
    public static string DbField(string output, string field)
    {
        foreach (var line in output.Split('\n'))
        {
            var eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq > 0 && line[..eq].Trim() == field)
            {
                return line[(eq + 3)..].Trim();
            }
        }

        throw new AssertionException($"xfs_db printed no {field}: {output}");
    }

    private static void Walk(XfsFileSystem fs, string path, StringBuilder lines)
    {
        var st = fs.TryStat(path) ?? throw new AssertionException($"{path} listed but not found");
        var extra = string.Empty;
        if (st.Kind == FileKind.Regular)
        {
            using var s = fs.OpenRead(path);
            Assert.That(s.Length, Is.EqualTo(st.Size), path);
            extra = Convert.ToHexStringLower(SHA256.HashData(s));
        }
        else if (st.Kind == FileKind.Symlink)
        {
            extra = fs.ReadLink(path);
        }

        var attrs = string.Join(';', fs.ReadAttributes(path).Select(a => $"{a.Key}={Convert.ToHexStringLower(a.Value)}"));
        lines.Append(string.Join('\t', path, Letter(st.Kind), Convert.ToString((int)st.Mode, 8), st.Uid, st.Gid, st.Size, st.LinkCount,
            st.Inode, st.AccessTime, st.ModifiedTime, st.ChangeTime, extra, attrs)).Append('\n');
        if (st.Kind == FileKind.Directory)
        {
            foreach (var e in fs.ReadDirectory(path))
            {
                var child = PosixPath.Combine(path, e.Name);
                Assert.That(e.Kind, Is.EqualTo(fs.TryStat(child)!.Value.Kind), $"directory entry type of {child}");
                Walk(fs, child, lines);
            }
        }
    }

    private static string Letter(FileKind kind) => kind switch
    {
        FileKind.Regular => "f",
        FileKind.Directory => "d",
        FileKind.Symlink => "l",
        FileKind.CharacterDevice => "c",
        FileKind.BlockDevice => "b",
        FileKind.Fifo => "p",
        FileKind.Socket => "s",
        _ => "?",
    };

    internal static SortedDictionary<string, string> ToMap(string text)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            map[line[..line.IndexOf('\t', StringComparison.Ordinal)]] = line;
        }

        return map;
    }

    private static T WithMount<T>(TempDirectory tmp, string image, string options, Func<string, T> body)
    {
        var mnt = tmp.File("mnt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(mnt);
        lock (MountLock)
        {
            ExternalTool.Check("mount", "-o", options, image, mnt);
        }

        try
        {
            return body(mnt);
        }
        finally
        {
            lock (MountLock)
            {
                ExternalTool.Check("umount", mnt);
            }
        }
    }

    private static string Script(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, name);

    private static bool IsRoot() => ExternalTool.Run("id", "-u").StdOut.Trim() == "0";
}
