using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Raw;

/// <summary>A 1 TiB virtual disk must cost what a small one costs: nothing reads or writes the whole range.</summary>
[TestFixture]
public sealed class LargeSparseImageTests
{
    private const long OneTiB = 1L << 40;

    [TestCase("raw")]
    [TestCase("qcow2")]
    public void OneTebibyteImageOpensReadsAndWritesSparsely(string format)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File($"big.{format}");
        Qemu.Img("create", "-f", format, path, "1T");
        var before = Qemu.AllocatedBytesOnDisk(path);

        var sector = new byte[512];
        using (var image = ImageOpener.Open(path, new ImageOpenOptions { Format = format, Writable = true }))
        {
            Assert.That(image.Device.Length, Is.EqualTo(OneTiB));
            image.Device.Read(0, new byte[34 * 512]);
            image.Device.Read(OneTiB - 512, sector);
            Assert.That(sector, Is.All.Zero);
            for (var i = 0; i < 4; i++)
            {
                sector.AsSpan().Fill((byte)(0x10 + i));
                image.Device.Write((OneTiB / 4 * i) + 4096, sector);
            }

            sector.AsSpan().Fill(0x7f);
            image.Device.Write(OneTiB - 512, sector);
            image.Device.Flush();

            var ranges = ((IAllocationMap)image.Device).GetAllocatedRanges().ToList();
            Assert.That(ranges.Sum(r => r.Length), Is.LessThan(32L << 20), "allocation map stays small");
            Assert.That(ranges.Any(r => r.Offset <= OneTiB - 512 && r.End >= OneTiB), Is.True, "last sector is mapped");
        }

        Assert.That(Qemu.AllocatedBytesOnDisk(path) - before, Is.LessThan(4L << 20), "allocated size on disk stays small");
        if (format == "qcow2")
        {
            Qemu.CheckClean(path);
        }

        Qemu.Io(path, format, $"read -P 0x7f {OneTiB - 512} 512");
        Qemu.Io(path, format, $"read -P 0x12 {(OneTiB / 2) + 4096} 512");
    }

    [Test]
    public void RawAllocationMapFollowsHolesAndReadsMatch()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("holes.raw");
        var content = Qemu.MakeContent(16 << 20, seed: 91);
        using (var stream = File.Create(path))
        {
            stream.SetLength(content.Length);
            for (var block = 0; block < content.Length; block += 1 << 20)
            {
                if (content.AsSpan(block, 1 << 20).ContainsAnyExcept((byte)0) && (block >> 20) % 3 != 0)
                {
                    stream.Position = block;
                    stream.Write(content, block, 1 << 20);
                }
                else
                {
                    Array.Clear(content, block, 1 << 20);
                }
            }
        }

        using var image = ImageOpener.Open(path, new ImageOpenOptions());
        Assert.That(image.Format, Is.EqualTo("raw"));
        var ranges = ((IAllocationMap)image.Device).GetAllocatedRanges().ToList();
        Assert.That(ranges.Sum(r => r.Length), Is.LessThanOrEqualTo(12L << 20));
        var covered = new bool[content.Length];
        foreach (var r in ranges)
        {
            Array.Fill(covered, true, (int)r.Offset, (int)r.Length);
        }

        Assert.That(Enumerable.Range(0, content.Length).Any(i => content[i] != 0 && !covered[i]), Is.False);
        var all = new byte[content.Length];
        image.Device.Read(0, all);
        Qemu.AssertSameBytes(all, content, "raw read");
        Assert.That(() => image.Device.Read(content.Length - 10, new byte[11]), Throws.TypeOf<Sealer.Core.Errors.InvalidImageException>());
        Assert.That(() => image.Device.Write(0, new byte[1]), Throws.TypeOf<Sealer.Core.Errors.GuestFileSystemException>());
    }
}
