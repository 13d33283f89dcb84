using NUnit.Framework;
using Sealer.Images.Host;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Opening;

[TestFixture]
public sealed class ImageOpenerHostFileTests
{
    [TestCase("raw")]
    [TestCase("qcow2")]
    public void OpeningAGivenHostFileWritesThroughItAndLeavesItOpen(string format)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File($"disk.{format}");
        Qemu.Img("create", "-f", format, path, "4M");
        var journal = new JournalingHostFile(FileHostFile.Open(path, writable: true));
        using (var image = ImageOpener.Open(journal, new ImageOpenOptions { Writable = true }))
        {
            Assert.That(image.Format, Is.EqualTo(format));
            Assert.That(image.Chain, Is.EqualTo(new[] { path }));
            image.Device.Write(70_000, new byte[] { 1, 2, 3, 4 });
            image.Device.Flush();
        }

        // The caller still owns the host file after the image is disposed.
        var probe = new byte[4];
        journal.Read(0, probe);
        journal.Dispose();
        Assert.That(journal.FlushPoints, Is.Not.Empty);
        var roundTrip = ExternalTool.Check("qemu-io", "-f", format, "-c", "read -v 70000 4", path);
        Assert.That(roundTrip, Does.Contain("01 02 03 04"));
    }
}
