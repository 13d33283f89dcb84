using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Support;

/// <summary>Fixture makers and oracle calls around qemu-img / qemu-io.</summary>
internal static class Qemu
{
    public static void Require()
    {
        ExternalTool.Require("qemu-img");
        ExternalTool.Require("qemu-io");
    }

    public static string Img(params string[] args) => ExternalTool.Check("qemu-img", args);

    public static void Io(string image, string format, string command) =>
        ExternalTool.Check("qemu-io", "-f", format, "-c", command, image);

    /// <summary>Compressible but varied content: each 512-byte sector repeats a seeded 8-byte word; about a third of
    /// the 64 KiB blocks stay zero so converted images have holes.</summary>
    public static byte[] MakeContent(int size, int seed)
    {
        var data = new byte[size];
        var random = new Random(seed);
        for (var block = 0; block < size; block += 64 << 10)
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            var end = Math.Min(size, block + (64 << 10));
            for (var sector = block; sector < end; sector += 512)
            {
                var word = (ulong)random.NextInt64();
                for (var i = sector; i < Math.Min(end, sector + 512); i += 8)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i), word + (ulong)(i & 0x38));
                }
            }
        }

        return data;
    }

    /// <summary>The guest content of an image according to qemu-img convert -O raw.</summary>
    public static byte[] ToRaw(string image, TempDirectory temp)
    {
        var output = temp.File($"oracle-{Guid.NewGuid():N}.raw");
        Img("convert", "-O", "raw", image, output);
        var bytes = File.ReadAllBytes(output);
        File.Delete(output);
        return bytes;
    }

    /// <summary>qemu-img check must exit 0: no corruptions and no leaks.</summary>
    public static void CheckClean(string image)
    {
        var result = ExternalTool.Run("qemu-img", "check", image);
        Assert.That(result.ExitCode, Is.Zero, $"qemu-img check {image}: {result}");
    }

    public static long AllocatedBytesOnDisk(string path) =>
        long.Parse(ExternalTool.Check("stat", "--format=%b", path).Trim()) * 512;

    /// <summary>Byte-for-byte comparison that reports the first difference instead of dumping arrays.</summary>
    public static void AssertSameBytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{what}: length");
        var mismatch = actual.CommonPrefixLength(expected);
        Assert.That(mismatch, Is.EqualTo(actual.Length), $"{what}: first difference at offset 0x{mismatch:x}");
    }
}
