using System.Buffers.Binary;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Corrupted structures give a one-line InvalidImageException and nothing is written.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed partial class MalformedTests
{
    private const int BlockSize = 1024;

    [Test]
    public void BadSuperblockMagic() => AssertRejected("ext4", (image, _) => image[0x438] ^= 0xFF, fs => { }, "magic");

    [Test]
    public void CorruptGroupDescriptorCount() => AssertRejected("ext2", (image, _) =>
    {
        // ext2 has no descriptor checksum, so only the range check can catch this.
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((2 * BlockSize) + 0x0C), 60000);
    }, fs => { }, "group descriptor");

    [Test]
    public void LoopingExtentTree() => AssertRejected("ext4", (image, path) =>
    {
        var (block, offset) = InodeLocation(path, "/f");
        var free = long.Parse(FreeBlock().Match(Oracle.Debugfs(path, "ffb")).Groups[1].Value);
        var root = image.AsSpan((int)((block * BlockSize) + offset + 0x28), 60);
        WriteExtentIndex(root, max: 4, depth: 2, child: free);
        WriteExtentIndex(image.AsSpan((int)(free * BlockSize), BlockSize), max: 84, depth: 1, child: free);
    }, fs => fs.OpenRead("/f").ReadByte(), "extent");

    [Test]
    public void ZeroRecordLength() => AssertRejected("ext4", (image, path) =>
    {
        var block = long.Parse(Oracle.Debugfs(path, "bmap / 0").Trim());
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)(block * BlockSize) + 4), 0);
    }, fs => fs.WriteFile("/new", [1], (UnixFileMode)0x1A4), "rec_len");

    [Test]
    public void RecordLengthPastTheBlock() => AssertRejected("ext4", (image, path) =>
    {
        var block = long.Parse(Oracle.Debugfs(path, "bmap / 0").Trim());
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)(block * BlockSize) + 12 + 4), 2000);
    }, fs => fs.ReadDirectory("/"), "rec_len");

    [Test]
    public void OutOfRangeInodeNumber() => AssertRejected("ext4", (image, path) =>
    {
        var block = long.Parse(Oracle.Debugfs(path, "bmap / 0").Trim());
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)(block * BlockSize) + 24), 9_999_999);
    }, fs => fs.DeleteTree("/d"), "inode");

    private static void AssertRejected(string type, Action<byte[], string> corrupt, Action<Ext4FileSystem> use, string mentions)
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-bad");
        var source = tmp.File("src");
        Directory.CreateDirectory(Path.Combine(source, "d"));
        File.WriteAllBytes(Path.Combine(source, "f"), Enumerable.Repeat((byte)7, 5000).ToArray());
        var options = type == "ext4" ? "-O ^metadata_csum,^flex_bg" : "";
        var path = Oracle.MakeImage(tmp, source, type, options, "8M", "1024");
        var image = File.ReadAllBytes(path);
        corrupt(image, path);
        var snapshot = (byte[])image.Clone();
        var device = new MemoryBlockDevice(image);
        var error = Assert.Throws<InvalidImageException>(() =>
        {
            using var fs = Ext4FileSystem.Open(device, writable: true);
            use(fs);
        });
        Assert.That(error!.Message, Does.Not.Contain('\n').And.StartWith("ext4:").And.Contain(mentions), error.Message);
        Assert.That(image, Is.EqualTo(snapshot), "nothing may be written");
    }

    private static (long Block, long Offset) InodeLocation(string image, string file)
    {
        var m = Location().Match(Oracle.Debugfs(image, $"imap {file}"));
        Assert.That(m.Success, Is.True);
        return (long.Parse(m.Groups[1].Value), Convert.ToInt64(m.Groups[2].Value, 16));
    }

    private static void WriteExtentIndex(Span<byte> node, ushort max, ushort depth, long child)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(node, 0xF30A);
        BinaryPrimitives.WriteUInt16LittleEndian(node[2..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(node[4..], max);
        BinaryPrimitives.WriteUInt16LittleEndian(node[6..], depth);
        BinaryPrimitives.WriteUInt32LittleEndian(node[12..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(node[16..], (uint)child);
        BinaryPrimitives.WriteUInt16LittleEndian(node[20..], 0);
    }

    [GeneratedRegex(@"located at block (\d+), offset 0x([0-9a-f]+)")]
    private static partial Regex Location();

    [GeneratedRegex(@"Free blocks found: (\d+)")]
    private static partial Regex FreeBlock();
}
