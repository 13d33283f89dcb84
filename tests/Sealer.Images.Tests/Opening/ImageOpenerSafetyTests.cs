using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Opening;

[TestFixture]
public sealed class ImageOpenerSafetyTests
{
    [Test]
    public void ExplicitRawIsNeverOverriddenByAQcow2Header()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("guest-wrote-a-header.img");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        var fileBytes = File.ReadAllBytes(path);

        using (var raw = ImageOpener.Open(path, new ImageOpenOptions { Format = "raw" }))
        {
            Assert.That(raw.Format, Is.EqualTo("raw"));
            Assert.That(raw.Device.Length, Is.EqualTo(fileBytes.Length));
            var start = new byte[512];
            raw.Device.Read(0, start);
            Assert.That(start, Is.EqualTo(fileBytes.AsSpan(0, 512).ToArray()));
        }

        using var probed = ImageOpener.Open(path, new ImageOpenOptions());
        Assert.That(probed.Format, Is.EqualTo("qcow2"));
        Assert.That(probed.Device.Length, Is.EqualTo(8 << 20));
    }

    [Test]
    public void MissingFileIsImageNotFound()
    {
        using var temp = new TempDirectory();
        Assert.That(() => ImageOpener.Open(temp.File("nope.qcow2"), new ImageOpenOptions()), Throws.TypeOf<ImageNotFoundException>());
    }

    [Test]
    public void BackingOutsideTheFolderNeedsAllowBacking()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("images"));
        File.WriteAllBytes(temp.File("outside.raw"), Qemu.MakeContent(1 << 20, seed: 3));
        var relative = temp.File("images/relative.qcow2");
        var absolute = temp.File("images/absolute.qcow2");
        Qemu.Img("create", "-f", "qcow2", "-b", "../outside.raw", "-F", "raw", relative);
        Qemu.Img("create", "-f", "qcow2", "-b", temp.File("outside.raw"), "-F", "raw", absolute);

        foreach (var path in new[] { relative, absolute })
        {
            var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions()));
            Assert.That(e!.Message, Does.Contain("outside.raw").And.Contain("--allow-backing"));
            using var allowed = ImageOpener.Open(path, new ImageOpenOptions { AllowBacking = true });
            Assert.That(allowed.Chain, Has.Count.EqualTo(2));
            Assert.That(allowed.Chain[1], Is.EqualTo(temp.File("outside.raw")));
        }
    }

    [Test]
    public void ChainOfSixteenOpensAndSeventeenIsRefused()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("0.raw"), Qemu.MakeContent(1 << 20, seed: 4));
        var previous = "0.raw";
        var format = "raw";
        for (var i = 1; i <= 16; i++)
        {
            Qemu.Img("create", "-f", "qcow2", "-b", previous, "-F", format, temp.File($"{i}.qcow2"));
            previous = $"{i}.qcow2";
            format = "qcow2";
        }

        using (var sixteen = ImageOpener.Open(temp.File("15.qcow2"), new ImageOpenOptions()))
        {
            Assert.That(sixteen.Chain, Has.Count.EqualTo(16));
            var expected = File.ReadAllBytes(temp.File("0.raw"));
            var actual = new byte[expected.Length];
            sixteen.Device.Read(0, actual);
            Assert.That(actual, Is.EqualTo(expected));
        }

        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(temp.File("16.qcow2"), new ImageOpenOptions()));
        Assert.That(e!.Message, Does.Contain("deeper than 16"));
    }

    [Test]
    public void EncryptedImageIsRefusedByName()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("luks.qcow2");
        Qemu.Img("create", "-f", "qcow2", "--object", "secret,id=s0,data=abc", "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10", path, "8M");
        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions()));
        Assert.That(e!.Message, Does.Contain("encryption (LUKS)"));
    }

    [TestCase(0, "dirty")]
    [TestCase(1, "corrupt")]
    public void DirtyAndCorruptImagesAreReadableButNotWritable(int bit, string name)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("flagged.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        Qemu.Io(path, "qcow2", "write -P 0x61 0 64k");
        PatchUInt64(path, 0x48, 1UL << bit);

        using (var readOnly = ImageOpener.Open(path, new ImageOpenOptions()))
        {
            var data = new byte[512];
            readOnly.Device.Read(0, data);
            Assert.That(data, Is.All.EqualTo(0x61));
        }

        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions { Writable = true }));
        Assert.That(e!.Message, Does.Contain(name));
    }

    [Test]
    public void UnknownIncompatibleBitAndExternalDataFileAreRefusedByName()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("future.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        PatchUInt64(path, 0x48, 1UL << 10);
        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions()));
        Assert.That(e!.Message, Does.Contain("bit 10"));

        var dataFile = temp.File("with-data-file.qcow2");
        Qemu.Img("create", "-f", "qcow2", "-o", $"data_file={temp.File("data.raw")}", dataFile, "8M");
        e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(dataFile, new ImageOpenOptions()));
        Assert.That(e!.Message, Does.Contain("external data file"));
    }

    [Test]
    public void ExtendedL2IsReadOnly()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("ext.qcow2");
        Qemu.Img("create", "-f", "qcow2", "-o", "extended_l2=on", path, "8M");
        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions { Writable = true }));
        Assert.That(e!.Message, Does.Contain("extended L2"));
    }

    [TestCase(0x14, 22u, "cluster_bits")]
    [TestCase(0x14, 8u, "cluster_bits")]
    [TestCase(0x60, 7u, "refcount_order")]
    public void OutOfRangeGeometryIsRefusedByName(int offset, uint value, string name)
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("geometry.qcow2");
        Qemu.Img("create", "-f", "qcow2", path, "8M");
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), value);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<UnsupportedFeatureException>(() => ImageOpener.Open(path, new ImageOpenOptions()));
        Assert.That(e!.Message, Does.Contain(name));
    }

    private static void PatchUInt64(string path, int offset, ulong value)
    {
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(offset), BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(offset)) | value);
        File.WriteAllBytes(path, bytes);
    }
}
