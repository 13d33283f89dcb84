using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Fixture making and checking through e2fsprogs (mke2fs, e2fsck, debugfs).</summary>
internal static class Oracle
{
    public static void Require()
    {
        ExternalTool.Require("mke2fs");
        ExternalTool.Require("e2fsck");
        ExternalTool.Require("debugfs");
    }

    public static string MakeImage(TempDirectory tmp, string source, string type, string options, string size, string blockSize, bool mustBeClean = true)
    {
        var image = tmp.File("fs.img");
        var args = new List<string> { "-q", "-F", "-t", type, "-b", blockSize, "-E", "lazy_itable_init=1", "-d", source };
        foreach (var opt in options.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            args.Add(opt);
        }

        args.Add(image);
        args.Add(size);
        var r = ExternalTool.Run("mke2fs", args);
        Assert.That(r.ExitCode, Is.Zero, $"mke2fs {string.Join(' ', args)}: {r}");
        if (mustBeClean)
        {
            AssertClean(image, "fresh image");
        }
        return image;
    }

    public static void AssertClean(string image, string when)
    {
        var r = ExternalTool.Run("e2fsck", "-fn", image);
        Assert.That(r.ExitCode, Is.Zero, $"e2fsck -fn after {when}: {r}");
    }

    public static string Debugfs(string image, string command)
    {
        var r = ExternalTool.Run("debugfs", "-R", command, image);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        return r.StdOut;
    }

    public static byte[] DebugfsBytes(TempDirectory tmp, string image, string path)
    {
        var output = tmp.File("dump-" + Guid.NewGuid().ToString("N"));
        Debugfs(image, $"dump {path} {output}");
        return File.ReadAllBytes(output);
    }

    /// <summary>Dumps the whole tree with debugfs rdump and compares every entry with the model.</summary>
    public static void AssertTreeMatches(TempDirectory tmp, string image, GuestModel model)
    {
        var outDir = tmp.File("rdump-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        Debugfs(image, $"rdump / {outDir}");
        var listing = ExternalTool.Check("find", outDir, "-mindepth", "1", "-printf", "%P\t%U\t%G\t%m\t%y\n");
        var seen = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            seen["/" + f[0]] = line;
        }

        Assert.That(seen.Keys, Is.EquivalentTo(model.Nodes.Keys), "debugfs rdump paths");
        foreach (var (path, node) in model.Nodes)
        {
            var f = seen[path].Split('\t');
            var host = outDir + path;
            var kind = f[4] switch { "f" => FileKind.Regular, "d" => FileKind.Directory, "l" => FileKind.Symlink, _ => FileKind.Unknown };
            Assert.That(kind, Is.EqualTo(node.Kind), path);
            switch (node.Kind)
            {
                case FileKind.Regular:
                    Assert.That(File.ReadAllBytes(host), Is.EqualTo(node.Content), $"content of {path} (debugfs)");
                    break;
                case FileKind.Symlink:
                    Assert.That(new FileInfo(host).LinkTarget, Is.EqualTo(node.Target), $"target of {path} (debugfs)");
                    continue;
            }

            Assert.That(Convert.ToInt32(f[3], 8), Is.EqualTo(node.Mode), $"mode of {path} (debugfs)");
            Assert.That((int.Parse(f[1]), int.Parse(f[2])), Is.EqualTo((node.Uid, node.Gid)), $"owner of {path} (debugfs)");
        }
    }

    /// <summary>Walks the filesystem through the driver and compares it with the model.</summary>
    public static void AssertDriverMatches(IFileSystem fs, GuestModel model)
    {
        var seen = new List<string>();
        void Walk(string dir)
        {
            foreach (var e in fs.ReadDirectory(dir))
            {
                var path = PosixPath.Combine(dir, e.Name);
                seen.Add(path);
                var st = fs.TryStat(path) ?? throw new AssertionException($"stat {path} failed");
                Assert.That(st.Kind, Is.EqualTo(e.Kind), $"dirent kind of {path}");
                Assert.That(model.Nodes.TryGetValue(path, out var node), Is.True, $"unexpected {path}");
                Assert.That(st.Kind, Is.EqualTo(node!.Kind), path);
                switch (st.Kind)
                {
                    case FileKind.Directory:
                        Walk(path);
                        break;
                    case FileKind.Regular:
                        using (var s = fs.OpenRead(path))
                        {
                            var ms = new MemoryStream();
                            s.CopyTo(ms);
                            Assert.That(ms.ToArray(), Is.EqualTo(node.Content), $"content of {path} (driver)");
                            Assert.That(st.Size, Is.EqualTo(node.Content.Length), $"size of {path}");
                        }

                        break;
                    case FileKind.Symlink:
                        Assert.That(fs.ReadLink(path), Is.EqualTo(node.Target), $"target of {path} (driver)");
                        continue;
                }

                Assert.That((int)st.Mode, Is.EqualTo(node.Mode), $"mode of {path} (driver)");
                Assert.That((st.Uid, st.Gid), Is.EqualTo((node.Uid, node.Gid)), $"owner of {path} (driver)");
            }
        }

        Walk("/");
        Assert.That(seen, Is.EquivalentTo(model.Nodes.Keys), "driver paths");
    }
}
