using System.Text;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Writes a deterministic source tree for <c>mke2fs -d</c> and returns the matching model.</summary>
internal static class TreeBuilder
{
    public static GuestModel Build(string root, int manyFiles = 120)
    {
        var model = new GuestModel();
        var random = new Random(1234);
        void Dir(string rel, int mode = 0x1ED, int uid = 0, int gid = 0)
        {
            var host = Host(root, rel);
            Directory.CreateDirectory(host);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(host, (UnixFileMode)mode);
            }

            Chown(host, uid, gid);
            model.Dir(rel, mode, uid, gid);
        }

        void FileOf(string rel, byte[] content, int mode = 0x1A4, int uid = 0, int gid = 0)
        {
            var host = Host(root, rel);
            File.WriteAllBytes(host, content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(host, (UnixFileMode)mode);
            }

            Chown(host, uid, gid);
            model.File(rel, content, mode, uid, gid);
        }

        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        Dir("/etc");
        FileOf("/etc/hostname", "guest\n"u8.ToArray());
        FileOf("/etc/shadow", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"user{i}:x:{i}:\n"))), 0x180);
        Dir("/dir1");
        foreach (var (i, size) in new[] { 0, 1, 1023, 1024, 1025, 4096, 5000, 12289 }.Select((s, i) => (i, s)))
        {
            FileOf($"/dir1/a{i}.txt", Bytes(size), 0x1A4, 1000 + i, 100 + i);
        }

        FileOf("/dir1/big.bin", Bytes(300_000));
        Dir("/dir2", 0x1C0, 1000, 1000);
        Dir("/dir2/sub");
        Dir("/dir2/sub/deep");
        FileOf("/dir2/sub/deep/file", Bytes(3000));
        FileOf("/dir2/hard1", Bytes(777));
        ExternalTool.Check("ln", Host(root, "/dir2/hard1"), Host(root, "/dir1/hard2"));
        model.File("/dir1/hard2", model.Nodes["/dir2/hard1"].Content);
        Dir("/tree");
        Dir("/tree/x");
        Dir("/tree/x/y");
        FileOf("/tree/x/y/z", Bytes(20_000));
        FileOf("/tree/x/f", Bytes(10));
        Dir("/tree/w");
        Dir("/links");
        Link(root, model, "/links/fast", "../etc/hostname");
        Link(root, model, "/links/slow", "/usr/share/" + new string('s', 90));
        Link(root, model, "/tree/x/lnk", "y/z");
        Dir("/var");
        Dir("/var/many");
        for (var i = 0; i < manyFiles; i++)
        {
            FileOf($"/var/many/file-with-a-longer-name-{i:D4}", Bytes(i % 7 * 100));
        }

        // A sparse file: data, a hole of several blocks, data.
        var sparse = Host(root, "/sparse.bin");
        using (var s = File.Create(sparse))
        {
            var head = Bytes(5000);
            var tail = Bytes(3000);
            s.Write(head);
            s.Position = 700_000;
            s.Write(tail);
            var content = new byte[703_000];
            head.CopyTo(content, 0);
            tail.CopyTo(content, 700_000);
            model.File("/sparse.bin", content);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(sparse, (UnixFileMode)0x1A4);
        }

        return model;
    }

    private static void Link(string root, GuestModel model, string rel, string target)
    {
        File.CreateSymbolicLink(Host(root, rel), target);
        model.Link(rel, target);
    }

    private static void Chown(string host, int uid, int gid)
    {
        if (uid != 0 || gid != 0)
        {
            ExternalTool.Check("chown", $"{uid}:{gid}", host);
        }
    }

    public static string Host(string root, string rel) => root + rel;
}
