using System.Buffers.Binary;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Inputs found by the fuzz harness (tests/Sealer.Fuzz), reduced to the one field that matters.</summary>
[TestFixture]
public sealed partial class FuzzRegressionTests
{
    private const int BlockSize = 1024;

    [Test]
    public void DirectoryBlockMappedPastItsSize_AnAddedEntryCanBeFound()
    {
        // /d's only extent is moved to logical block 440 while i_size stays one block: lookups read only blocks below
        // i_size, so an entry added into the block at 440 was accepted and then never found again (leaked inode).
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-fuzz");
        var source = tmp.File("src");
        Directory.CreateDirectory(Path.Combine(source, "d"));
        File.WriteAllText(Path.Combine(source, "d", "old"), "old\n");
        var path = Oracle.MakeImage(tmp, source, "ext4", "-O ^metadata_csum", "4M", "1024");
        var image = File.ReadAllBytes(path);
        var m = Location().Match(Oracle.Debugfs(path, "imap /d"));
        Assert.That(m.Success, Is.True);
        var inode = (int)((long.Parse(m.Groups[1].Value) * BlockSize) + Convert.ToInt64(m.Groups[2].Value, 16));
        const int FirstExtentLogical = 0x28 + 12;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(inode + FirstExtentLogical), 440);
        var device = new MemoryBlockDevice(image);

        using (var fs = Ext4FileSystem.Open(device, writable: true))
        {
            fs.WriteFile("/d/new", "new\n"u8, (UnixFileMode)Convert.ToInt32("644", 8));
            Assert.That(fs.TryStat("/d/new"), Is.Not.Null, "an entry that was added is found at once");
        }

        using var reopened = Ext4FileSystem.Open(device, writable: false);
        Assert.That(reopened.TryStat("/d/new"), Is.Not.Null, "and after reopening");
        using var stream = reopened.OpenRead("/d/new");
        Assert.That(new StreamReader(stream).ReadToEnd(), Is.EqualTo("new\n"));
    }

    [GeneratedRegex(@"located at block (\d+), offset 0x([0-9a-f]+)")]
    private static partial Regex Location();
}
