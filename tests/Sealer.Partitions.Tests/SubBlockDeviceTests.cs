using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Partitions.Tests;

[TestFixture]
public sealed class SubBlockDeviceTests
{
    [Test]
    public void ReadsAndWritesGoToTheWindow()
    {
        var parent = new MemoryBlockDevice(new byte[4096]);
        using var window = new SubBlockDevice(parent, 1024, 512);
        window.Write(510, new byte[] { 7, 8 });
        var read = new byte[2];
        window.Read(510, read);

        Assert.That(read, Is.EqualTo(new byte[] { 7, 8 }));
        Assert.That(parent.Data[1534..1536], Is.EqualTo(new byte[] { 7, 8 }));
        Assert.That(parent.Data.Count(b => b != 0), Is.EqualTo(2));
    }

    [TestCase(511, 2)]
    [TestCase(512, 1)]
    [TestCase(-1, 1)]
    [TestCase(0, 513)]
    public void AccessOutsideTheWindow_Throws(long offset, int count)
    {
        var parent = new MemoryBlockDevice(new byte[4096]);
        using var window = new SubBlockDevice(parent, 1024, 512);
        Assert.That(() => window.Read(offset, new byte[count]), Throws.InstanceOf<InvalidImageException>());
        Assert.That(() => window.Write(offset, new byte[count]), Throws.InstanceOf<InvalidImageException>());
        Assert.That(parent.Data, Is.All.Zero);
    }

    [TestCase(4000, 97)]
    [TestCase(-512, 512)]
    [TestCase(0, 4097)]
    [TestCase(long.MaxValue, 1)]
    public void WindowOutsideTheParent_Throws(long start, long length)
    {
        var parent = new MemoryBlockDevice(new byte[4096]);
        Assert.That(() => new SubBlockDevice(parent, start, length), Throws.InstanceOf<InvalidImageException>());
    }

    [Test]
    public void EmptyWindowAtTheEnd_IsAllowed()
    {
        using var window = new SubBlockDevice(new MemoryBlockDevice(new byte[4096]), 4096, 0);
        window.Read(0, Span<byte>.Empty);
        Assert.That(window.Length, Is.Zero);
    }
}
