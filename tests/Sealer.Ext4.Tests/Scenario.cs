using System.Text;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4.Tests;

/// <summary>The scripted sequence of mutations run on every fixture, mirrored into the model.</summary>
internal static class Scenario
{
    public static void Run(IFileSystem fs, GuestModel model)
    {
        var random = new Random(99);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        // Create, replace, append.
        var hello = "hello\n"u8.ToArray();
        fs.WriteFile("/new.txt", hello, (UnixFileMode)0x1A4, 7, 8);
        model.File("/new.txt", hello, 0x1A4, 7, 8);
        var replaced = Bytes(9000);
        fs.WriteFile("/dir1/a3.txt", replaced, (UnixFileMode)0x1FF);
        model.Nodes["/dir1/a3.txt"] = model.Nodes["/dir1/a3.txt"] with { Content = replaced };
        AppendBoth(fs, model, "/etc/hostname", "more\n"u8.ToArray());
        AppendBoth(fs, model, "/dir1/big.bin", Bytes(70_000));
        AppendBoth(fs, model, "/dir1/a0.txt", Bytes(10));

        // Truncate: shrink, grow (hole), to zero.
        TruncateBoth(fs, model, "/sparse.bin", 300_000);
        TruncateBoth(fs, model, "/dir1/a1.txt", 20_000);
        TruncateBoth(fs, model, "/dir1/a5.txt", 0);
        TruncateBoth(fs, model, "/dir1/a7.txt", 5000);
        AppendBoth(fs, model, "/dir1/a7.txt", Bytes(3000));

        // Deletes.
        fs.Delete("/dir2/hard1");
        model.Nodes.Remove("/dir2/hard1");
        fs.Delete("/links/slow");
        model.Nodes.Remove("/links/slow");
        fs.DeleteTree("/tree");
        model.RemoveTree("/tree");

        // Directories, renames.
        fs.CreateDirectory("/newdir", (UnixFileMode)0x1E8, 1000, 1000);
        model.Dir("/newdir", 0x1E8, 1000, 1000);
        fs.CreateDirectory("/newdir/sub", (UnixFileMode)0x1ED);
        model.Dir("/newdir/sub");
        fs.Rename("/new.txt", "/newdir/sub/moved.txt");
        model.Move("/new.txt", "/newdir/sub/moved.txt");
        fs.Rename("/dir2/sub", "/newdir/sub2");
        model.Move("/dir2/sub", "/newdir/sub2");
        fs.Rename("/dir1/a2.txt", "/dir1/a4.txt");
        model.Move("/dir1/a2.txt", "/dir1/a4.txt");
        fs.Rename("/dir1/a6.txt", "/dir1/a6-renamed.txt");
        model.Move("/dir1/a6.txt", "/dir1/a6-renamed.txt");
        fs.CreateDirectory("/e1", (UnixFileMode)0x1ED);
        fs.CreateDirectory("/e2", (UnixFileMode)0x1ED);
        fs.WriteFile("/e1/f", hello, (UnixFileMode)0x1A4);
        fs.Rename("/e1", "/e2");
        model.Dir("/e2");
        model.File("/e2/f", hello);
        fs.CreateDirectory("/e3", (UnixFileMode)0x1ED);
        fs.RemoveDirectory("/e3");

        // Symlinks and hard links.
        fs.CreateSymbolicLink("/links/newfast", "../dir1/a0.txt");
        model.Link("/links/newfast", "../dir1/a0.txt");
        var slowTarget = "/opt/" + new string('t', 200);
        fs.CreateSymbolicLink("/newdir/newslow", slowTarget);
        model.Link("/newdir/newslow", slowTarget);
        fs.CreateHardLink("/dir1/a1.txt", "/newdir/a1-link");
        model.Nodes["/newdir/a1-link"] = model.Nodes["/dir1/a1.txt"];

        // Attributes.
        fs.SetMode("/etc/hostname", (UnixFileMode)0x180);
        model.Nodes["/etc/hostname"] = model.Nodes["/etc/hostname"] with { Mode = 0x180 };
        fs.SetOwner("/dir1/big.bin", 1234, 5678);
        model.Nodes["/dir1/big.bin"] = model.Nodes["/dir1/big.bin"] with { Uid = 1234, Gid = 5678 };
        fs.SetTimes("/dir1/big.bin", 1_000_000_000, 1_500_000_000);

        // Directory growth and shrink: many new names, then remove some.
        for (var i = 0; i < 150; i++)
        {
            var content = Encoding.ASCII.GetBytes($"entry {i}\n");
            fs.WriteFile($"/var/many/new-{i:D3}", content, (UnixFileMode)0x1A4);
            model.File($"/var/many/new-{i:D3}", content);
        }

        for (var i = 0; i < 150; i += 3)
        {
            fs.Delete($"/var/many/new-{i:D3}");
            model.Nodes.Remove($"/var/many/new-{i:D3}");
        }

        // A large new file (multi-level maps on ext2/3, several extents when fragmented).
        var big = Bytes(2_200_000);
        fs.WriteFile("/big2.bin", big, (UnixFileMode)0x1A4);
        model.File("/big2.bin", big);
        fs.Flush();
    }

    private static void AppendBoth(IFileSystem fs, GuestModel model, string path, byte[] data)
    {
        fs.Append(path, data);
        var node = model.Nodes[path];
        model.Nodes[path] = node with { Content = [.. node.Content, .. data] };
    }

    private static void TruncateBoth(IFileSystem fs, GuestModel model, string path, int length)
    {
        fs.Truncate(path, length);
        var node = model.Nodes[path];
        var content = new byte[length];
        node.Content.AsSpan(0, Math.Min(length, node.Content.Length)).CopyTo(content);
        model.Nodes[path] = node with { Content = content };
    }
}
