using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.TestSupport;

namespace Sealer.Xfs.Tests;

/// <summary>The log state matches xfs_logprint's, and a dirty log is named in the write refusal.</summary>
[TestFixture]
public sealed class LogTests
{
    [Test]
    public void DirtyLogIsDetectedAndNamed()
    {
        XfsOracle.Require();
        ExternalTool.Require("xfs_io");
        ExternalTool.Require("xfs_logprint");
        using var tmp = new TempDirectory("sealer-xfslog");
        var image = tmp.File("xfs.img");
        using (var f = File.Create(image))
        {
            f.SetLength(320L << 20);
        }

        ExternalTool.Check("mkfs.xfs", "-q", "-f", image);
        Assert.That(LogPrintState(image), Is.EqualTo("CLEAN"));
        Assert.That(LogIsClean(image), Is.True, "fresh mkfs");

        // Committed transactions forced to the log, then a shutdown: the unmount record is never written.
        var mnt = tmp.File("mnt");
        Directory.CreateDirectory(mnt);
        ExternalTool.Check("mount", "-o", "loop", image, mnt);
        try
        {
            Directory.CreateDirectory(Path.Combine(mnt, "a"));
            File.WriteAllText(Path.Combine(mnt, "a", "f"), "x");
            ExternalTool.Check("sync");
            ExternalTool.Check("xfs_io", "-x", "-c", "shutdown", mnt);
        }
        finally
        {
            ExternalTool.Check("umount", mnt);
        }

        Assert.That(LogPrintState(image), Is.EqualTo("DIRTY"));
        Assert.That(ExternalTool.Run("xfs_repair", "-n", "-f", image).ExitCode, Is.Not.Zero, "xfs_repair -n sees the log");
        using (var device = new FileBlockDevice(image, writable: true))
        using (var fs = XfsFileSystem.Open(device, writable: true))
        {
            Assert.That(fs.LogIsClean, Is.False);
            var e = Assert.Throws<UnsupportedFeatureException>(() => fs.WriteFile("/new", [1], (UnixFileMode)0x1A4))!;
            Assert.That(e.Message, Is.EqualTo("xfs: cannot write: the log needs recovery: boot and shut down cleanly, or xfs_repair -L"));
            Assert.That(device.Writes, Is.Zero);
        }

        // The kernel replays the log on a read-write mount and writes the unmount record on umount.
        ExternalTool.Check("mount", "-o", "loop", image, mnt);
        ExternalTool.Check("umount", mnt);
        Assert.That(LogPrintState(image), Is.EqualTo("CLEAN"));
        Assert.That(LogIsClean(image), Is.True, "after kernel recovery");
    }

    private static bool LogIsClean(string image)
    {
        using var device = new FileBlockDevice(image, writable: false);
        using var fs = XfsFileSystem.Open(device);
        return fs.LogIsClean;
    }

    private static string LogPrintState(string image)
    {
        var output = ExternalTool.Run("xfs_logprint", "-t", image).StdOut;
        var at = output.IndexOf("state: <", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), output);
        return output[(at + 8)..output.IndexOf('>', at)];
    }
}
