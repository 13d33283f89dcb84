using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Opening;

/// <summary>Damaged images must fail with InvalidImageException (or a named refusal), never with another exception.</summary>
[TestFixture]
public sealed class MalformedImageFuzzTests
{
    [Test]
    public void TruncatedHeadersAreInvalidImages()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var source = new Qcow2Variant("v3", "compat=1.1").Make(temp, Qemu.MakeContent(1 << 20, seed: 8));
        var bytes = File.ReadAllBytes(source);
        var path = temp.File("truncated.qcow2");
        foreach (var length in new[] { 4, 50, 71, 72, 100, 103, 111, 200, 4096, 65536, 65540, 0x30000 })
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, length).ToArray());
            Assert.That(() => OpenAndReadEverything(path), Throws.TypeOf<InvalidImageException>(), $"truncated to {length}");
        }
    }

    [Test]
    public void BitFlipsNeverEscapeAsOtherExceptions()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var variant = new Qcow2Variant("small", "compat=1.1,cluster_size=4096");
        var source = variant.Make(temp, Qemu.MakeContent(1 << 20, seed: 9));
        Qemu.Img("snapshot", "-c", "s", source);
        Qemu.Io(source, "qcow2", "write -P 1 0 8k");
        var original = File.ReadAllBytes(source);
        var path = temp.File("flipped.qcow2");
        var random = new Random(1234);
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < 400; round++)
        {
            var bytes = (byte[])original.Clone();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                // Mostly the header cluster, sometimes anywhere in the metadata near the start.
                var limit = random.Next(2) == 0 ? 512 : Math.Min(bytes.Length, 64 << 10);
                bytes[random.Next(limit)] ^= (byte)(1 << random.Next(8));
            }

            File.WriteAllBytes(path, bytes);
            string outcome;
            try
            {
                OpenAndReadEverything(path);
                outcome = "ok";
            }
            catch (InvalidImageException)
            {
                outcome = "invalid";
            }
            catch (UnsupportedFeatureException)
            {
                outcome = "unsupported";
            }
            catch (ImageNotFoundException)
            {
                outcome = "backing not found";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.That(outcomes.GetValueOrDefault("invalid"), Is.GreaterThan(0), "some flips must be detected");
    }

    private static void OpenAndReadEverything(string path)
    {
        using var image = ImageOpener.Open(path, new ImageOpenOptions { Format = "qcow2" });
        var buffer = new byte[1 << 20];
        for (long offset = 0; offset < Math.Min(image.Device.Length, 64L << 20); offset += buffer.Length)
        {
            var length = (int)Math.Min(buffer.Length, image.Device.Length - offset);
            image.Device.Read(offset, buffer.AsSpan(0, length));
        }

        if (image.Device is Sealer.Core.IO.IAllocationMap map)
        {
            _ = map.GetAllocatedRanges().Take(100_000).Count();
        }
    }
}
