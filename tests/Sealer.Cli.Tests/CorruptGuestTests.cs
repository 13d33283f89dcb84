using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Images are untrusted input: a disk whose ext4 metadata is damaged at random must give a clean result or a one-line
/// error naming the structure (exit 3), never a crash (exit 70) or a stack trace, and a run that fails must not write.
/// </summary>
[TestFixture]
public sealed class CorruptGuestTests
{
    private const long RootPartitionOffset = 1024 * 1024;

    [Test]
    public void RandomlyDamagedExt4Metadata_FailsCleanlyOrSeals_NeverCrashes()
    {
        using var temp = new TempDirectory();
        var pristine = TestImages.Copy("debian12-gpt.raw", temp);
        var random = new Random(20261125);
        var outcomes = new Dictionary<int, int>();
        for (var round = 0; round < 16; round++)
        {
            var image = temp.File($"damaged-{round}.raw");
            File.Copy(pristine, image, overwrite: true);
            using (var f = File.OpenWrite(image))
            {
                // Superblock, group descriptors, bitmaps and the start of the inode table of the root file system
                // (4 KiB blocks: blocks 0..80 hold all of them on this 40 MiB file system).
                for (var flip = 0; flip < 8; flip++)
                {
                    f.Position = RootPartitionOffset + random.NextInt64(80 * 4096);
                    f.WriteByte((byte)random.Next(256));
                }
            }

            var before = DiskOracle.Sha256(image);
            var r = SealerProcess.Run("seal", "-a", image, "--output", temp.File($"out-{round}.qcow2"));

            outcomes[r.ExitCode] = outcomes.GetValueOrDefault(r.ExitCode) + 1;
            Assert.That(r.ExitCode, Is.AnyOf(0, 3), $"round {round}: {r}");
            Assert.That(r.StdErr, Does.Not.Contain("   at "), $"round {round}: no stack trace without --verbose");
            Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before), $"round {round}: the input is never written");
            if (r.ExitCode == 0)
            {
                DiskOracle.QemuImgCheck(temp.File($"out-{round}.qcow2"));
            }
            else
            {
                Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), $"round {round}: at most a one-line error");
                Assert.That(File.Exists(temp.File($"out-{round}.qcow2")), Is.False, $"round {round}: no output after a failure");
            }
        }

        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(o => $"exit {o.Key}: {o.Value}")));
    }
}
