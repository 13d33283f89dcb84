using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests;

/// <summary>Features that are read but not written: the whole tree must read back exactly as debugfs sees it.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class ReadOnlyFeatureTests
{
    [Test]
    public void InlineDataFilesAndDirectoriesReadBackAndRefuseWritesByName()
    {
        Oracle.Require();
        using var tmp = new TempDirectory("ext4-inline");
        var source = tmp.File("src");
        var model = TreeBuilder.Build(source, manyFiles: 10);
        var image = Oracle.MakeImage(tmp, source, "ext4", "-O inline_data", "16M", "1024");
        model.Dir("/lost+found", 0x1C0);
        // (debugfs 1.47.0 rdump pads empty inline files to 60 bytes, so only the driver is compared here.)
        using var device = new FileBlockDevice(image, writable: true);
        using var fs = Ext4FileSystem.Open(device, writable: true);
        Oracle.AssertDriverMatches(fs, model);
        var e = Assert.Throws<UnsupportedFeatureException>(() => fs.Append("/etc/hostname", "x"u8));
        Assert.That(e!.Message, Does.Contain("inline_data"));
        fs.Flush();
        Assert.That(device.Writes, Is.Zero);
    }
}
