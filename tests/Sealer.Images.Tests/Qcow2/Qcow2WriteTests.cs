using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

/// <summary>Writes through Sealer, then qemu-img check must be clean and the content must equal a raw twin.</summary>
[TestFixture]
public sealed class Qcow2WriteTests
{
    [TestCaseSource(typeof(Qcow2Variant), nameof(Qcow2Variant.ForWriting))]
    public void RandomWritesKeepImageConsistent(Qcow2Variant variant)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = variant.Make(temp, Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 41));
        var twin = Qemu.ToRaw(path, temp);
        ApplyRandomWrites(path, twin, seed: 42, count: 120);
        Qemu.CheckClean(path);
        Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), twin, $"{variant} after writes");
    }

    [Test]
    public void SnapshotSharedClustersAreCopiedAndSnapshotSurvives()
    {
        Qemu.Require();
        foreach (var variant in new[] { new Qcow2Variant("64K", "compat=1.1"), new Qcow2Variant("512B-v2", "compat=0.10,cluster_size=512"), new Qcow2Variant("zstd", "compression_type=zstd", Compress: true) })
        {
            using var temp = new TempDirectory();
            var path = variant.Make(temp, Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 51));
            var original = Qemu.ToRaw(path, temp);
            Qemu.Img("snapshot", "-c", "snap1", path);
            var twin = (byte[])original.Clone();
            ApplyRandomWrites(path, twin, seed: 52, count: 80);
            Qemu.CheckClean(path);
            Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), twin, $"{variant} active state after writes");

            Qemu.Img("snapshot", "-a", "snap1", path);
            Qemu.CheckClean(path);
            Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), original, $"{variant} snapshot content");
        }
    }

    [Test]
    public void ManyNewClustersCreateRefcountBlocksAndGrowTheRefcountTable()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("small-clusters.qcow2");
        Qemu.Img("create", "-f", "qcow2", "-o", "cluster_size=512", path, "32M");
        var (tableBefore, clustersBefore) = ReadRefTable(path);
        var twin = new byte[32 << 20];
        var random = new Random(61);
        using (var file = new NoSyncHostFile(Sealer.Images.Host.FileHostFile.Open(path, writable: true)))
        using (var image = ImageOpener.Open(file, new ImageOpenOptions { Writable = true }))
        {
            // 20 MiB of new 512-byte clusters: far past what one refcount-table cluster covers (64 blocks x 128 KiB).
            var chunk = new byte[1 << 20];
            for (var offset = 0; offset < 20 << 20; offset += chunk.Length)
            {
                random.NextBytes(chunk);
                image.Device.Write(offset + (5 << 20), chunk);
                chunk.CopyTo(twin, offset + (5 << 20));
            }

            image.Device.Flush();
        }

        var (tableAfter, clustersAfter) = ReadRefTable(path);
        Assert.That((tableAfter, clustersAfter), Is.Not.EqualTo((tableBefore, clustersBefore)), "the refcount table must have moved/grown");
        Qemu.CheckClean(path);
        Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), twin, "content after growth");
    }

    [Test]
    public void PartialWritesOverBackingCopyBackingDataAndLeaveBackingUntouched()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("base.raw"), Qemu.MakeContent(Qcow2Variant.ImageSize, seed: 71));
        Qemu.Img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", temp.File("mid.qcow2"));
        Qemu.Io(temp.File("mid.qcow2"), "qcow2", "write -P 0xab 100k 300k");
        Qemu.Img("create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", temp.File("top.qcow2"));
        var baseBytes = File.ReadAllBytes(temp.File("base.raw"));
        var midBytes = File.ReadAllBytes(temp.File("mid.qcow2"));
        var twin = Qemu.ToRaw(temp.File("top.qcow2"), temp);

        ApplyRandomWrites(temp.File("top.qcow2"), twin, seed: 72, count: 60);

        Qemu.CheckClean(temp.File("top.qcow2"));
        Qemu.AssertSameBytes(Qemu.ToRaw(temp.File("top.qcow2"), temp), twin, "top after writes");
        Assert.That(File.ReadAllBytes(temp.File("base.raw")), Is.EqualTo(baseBytes), "base untouched");
        Assert.That(File.ReadAllBytes(temp.File("mid.qcow2")), Is.EqualTo(midBytes), "mid untouched");
    }

    [Test]
    public void WritePastLastAllocatedClusterAndIntoZeroClusters()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("zero.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "64M");
        Qemu.Io(path, "qcow2", "write -P 0x11 0 1M");
        Qemu.Io(path, "qcow2", "write -z 128k 256k");
        Qemu.Io(path, "qcow2", "write -z -u 512k 128k");
        var twin = Qemu.ToRaw(path, temp);
        using (var image = ImageOpener.Open(path, new ImageOpenOptions { Writable = true }))
        {
            WriteBoth(image.Device, twin, (63 << 20) + 100, Fill(70_000, 0x22));
            WriteBoth(image.Device, twin, (200 << 10) + 7, Fill(1000, 0x33));
            WriteBoth(image.Device, twin, 540 << 10, Fill(3000, 0x44));
            WriteBoth(image.Device, twin, (64 << 20) - 512, Fill(512, 0x55));
        }

        Qemu.CheckClean(path);
        Qemu.AssertSameBytes(Qemu.ToRaw(path, temp), twin, "content");
    }

    [Test]
    public void BitmapsAutoclearBitIsClearedOnFirstWrite()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("bitmap.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        Qemu.Img("bitmap", "--add", path, "bm0");
        Assert.That(ReadUInt64(path, 0x58) & 1, Is.EqualTo(1UL), "fixture has the bitmaps autoclear bit");
        using (var image = ImageOpener.Open(path, new ImageOpenOptions { Writable = true }))
        {
            image.Device.Write(4096, Fill(4096, 0x99));
        }

        Assert.That(ReadUInt64(path, 0x58), Is.Zero);

        // With the autoclear bit gone qemu ignores the bitmaps extension, so the bitmap directory and table clusters
        // (still refcounted, as qcow2.rst asks) count as leaks: never as corruptions.
        var check = ExternalTool.Run("qemu-img", "check", "--output=json", path);
        Assert.That(check.ExitCode, Is.EqualTo(3), check.ToString());
        Assert.That(check.StdOut, Does.Not.Contain("\"corruptions\""));
        Assert.That(check.StdOut, Does.Contain("\"leaks\": 2"));
        Qemu.Io(path, "qcow2", "read -P 0x99 4096 4096");
    }

    [Test]
    public void UnknownHeaderExtensionIsPreservedByteForByte()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("ext.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        var cluster0 = File.ReadAllBytes(path).AsSpan(0, 65536).ToArray();

        // Find the end-of-extensions marker and put an unknown extension there, followed by a new end marker.
        var position = 112;
        while (BinaryPrimitives.ReadUInt32BigEndian(cluster0.AsSpan(position)) != 0)
        {
            position += 8 + ((int)(BinaryPrimitives.ReadUInt32BigEndian(cluster0.AsSpan(position + 4)) + 7) & ~7);
        }

        BinaryPrimitives.WriteUInt32BigEndian(cluster0.AsSpan(position), 0x12345678);
        BinaryPrimitives.WriteUInt32BigEndian(cluster0.AsSpan(position + 4), 5);
        "hello"u8.CopyTo(cluster0.AsSpan(position + 8));
        using (var stream = File.OpenWrite(path))
        {
            stream.Write(cluster0);
        }

        using (var image = ImageOpener.Open(path, new ImageOpenOptions { Writable = true }))
        {
            image.Device.Write(0, Fill(100_000, 0x42));
        }

        Assert.That(File.ReadAllBytes(path).AsSpan(0, 65536).ToArray(), Is.EqualTo(cluster0));
        Qemu.CheckClean(path);
    }

    internal static void ApplyRandomWrites(string path, byte[] twin, int seed, int count)
    {
        var random = new Random(seed);
        using var file = new NoSyncHostFile(Sealer.Images.Host.FileHostFile.Open(path, writable: true));
        using var image = ImageOpener.Open(file, new ImageOpenOptions { Writable = true });
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(3) switch { 0 => random.Next(1, 600), 1 => random.Next(1, 20_000), _ => random.Next(1, 300_000) };
            var offset = random.NextInt64(0, twin.Length - length + 1);
            if (random.Next(4) == 0)
            {
                offset &= ~511L;
            }

            var data = new byte[length];
            random.NextBytes(data);
            WriteBoth(image.Device, twin, offset, data);
        }

        image.Device.Flush();
    }

    private static void WriteBoth(Sealer.Core.IO.IBlockDevice device, byte[] twin, long offset, byte[] data)
    {
        device.Write(offset, data);
        data.CopyTo(twin, offset);
    }

    private static byte[] Fill(int length, byte value)
    {
        var data = new byte[length];
        data.AsSpan().Fill(value);
        return data;
    }

    private static (ulong Offset, uint Clusters) ReadRefTable(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 0x40);
        return (BinaryPrimitives.ReadUInt64BigEndian(header[0x30..]), BinaryPrimitives.ReadUInt32BigEndian(header[0x38..]));
    }

    private static ulong ReadUInt64(string path, int offset)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[8];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return BinaryPrimitives.ReadUInt64BigEndian(buffer);
    }
}
