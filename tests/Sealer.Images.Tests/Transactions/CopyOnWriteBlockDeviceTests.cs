using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Images.Transactions;

namespace Sealer.Images.Tests.Transactions;

[TestFixture]
public sealed class CopyOnWriteBlockDeviceTests
{
    [Test]
    public void UnalignedWriteSpanningPages_ReadsMergeAndBaseIsUntouched()
    {
        var original = Pattern(5 * 4096, seed: 1);
        var baseDevice = new MemoryBlockDevice((byte[])original.Clone(), writable: false);
        using var overlay = new CopyOnWriteBlockDevice(baseDevice);

        var data = Pattern(5000, seed: 2);
        overlay.Write(4000, data);

        var expected = (byte[])original.Clone();
        data.CopyTo(expected, 4000);
        var read = new byte[overlay.Length];
        overlay.Read(0, read);
        Assert.That(read, Is.EqualTo(expected));
        Assert.That(baseDevice.Data, Is.EqualTo(original));
        Assert.That(overlay.DirtyRanges, Is.EqualTo(new[] { new ByteRange(0, 3 * 4096) }));
    }

    [Test]
    public void DirtyRanges_AreMergedAscendingAndClippedToTheLength()
    {
        var baseDevice = new MemoryBlockDevice(new byte[(10 * 4096) + 100], writable: false);
        using var overlay = new CopyOnWriteBlockDevice(baseDevice);
        overlay.Write((10 * 4096) + 50, new byte[] { 1 });
        overlay.Write(5 * 4096, new byte[] { 1 });
        overlay.Write(4096 - 1, new byte[] { 1, 2 });
        overlay.Write(6 * 4096, new byte[] { 1 });

        Assert.That(overlay.DirtyRanges, Is.EqualTo(new[]
        {
            new ByteRange(0, 2 * 4096),
            new ByteRange(5 * 4096, 2 * 4096),
            new ByteRange(10 * 4096, 100),
        }));
    }

    [Test]
    public void RandomWrites_MatchAModelAndCopyDirtyToReproducesThem()
    {
        var random = new Random(42);
        var original = Pattern((64 * 1024) + 333, seed: 3);
        var model = (byte[])original.Clone();
        using var overlay = new CopyOnWriteBlockDevice(new MemoryBlockDevice((byte[])original.Clone(), writable: false));
        for (var i = 0; i < 300; i++)
        {
            var offset = random.Next(model.Length);
            var length = random.Next(Math.Min(9000, model.Length - offset) + 1);
            var data = new byte[length];
            random.NextBytes(data);
            overlay.Write(offset, data);
            data.CopyTo(model, offset);

            var probeOffset = random.Next(model.Length);
            var probe = new byte[random.Next(model.Length - probeOffset + 1)];
            overlay.Read(probeOffset, probe);
            Assert.That(probe.AsSpan().SequenceEqual(model.AsSpan(probeOffset, probe.Length)), Is.True, $"read after write {i}");
        }

        var target = new MemoryBlockDevice((byte[])original.Clone());
        overlay.CopyDirtyTo(target);
        Assert.That(target.Data, Is.EqualTo(model));
    }

    [Test]
    public void Discard_ShowsTheBaseAgain()
    {
        var original = Pattern(3 * 4096, seed: 4);
        using var overlay = new CopyOnWriteBlockDevice(new MemoryBlockDevice((byte[])original.Clone(), writable: false));
        overlay.Write(10, new byte[] { 9, 9, 9 });
        overlay.Discard();

        var read = new byte[original.Length];
        overlay.Read(0, read);
        Assert.That(read, Is.EqualTo(original));
        Assert.That(overlay.DirtyRanges, Is.Empty);
    }

    [Test]
    public void GetAllocatedRanges_MergesTheBaseMapWithDirtyPages()
    {
        var sparse = new SparseDevice(new byte[16 * 4096], [new ByteRange(0, 4096), new ByteRange(8 * 4096, 4096)]);
        using var overlay = new CopyOnWriteBlockDevice(sparse);
        overlay.Write((4096 * 2) - 1, new byte[] { 1, 1 });
        overlay.Write(9 * 4096, new byte[] { 1 });

        Assert.That(overlay.GetAllocatedRanges(), Is.EqualTo(new[]
        {
            new ByteRange(0, 3 * 4096),
            new ByteRange(8 * 4096, 2 * 4096),
        }));

        using var plain = new CopyOnWriteBlockDevice(new MemoryBlockDevice(new byte[8192], writable: false));
        Assert.That(plain.GetAllocatedRanges(), Is.EqualTo(new[] { new ByteRange(0, 8192) }));
    }

    [Test]
    public void AccessPastTheEnd_Throws()
    {
        using var overlay = new CopyOnWriteBlockDevice(new MemoryBlockDevice(new byte[4096], writable: false));
        Assert.That(() => overlay.Read(4000, new byte[97]), Throws.InstanceOf<InvalidImageException>());
        Assert.That(() => overlay.Write(4096, new byte[1]), Throws.InstanceOf<InvalidImageException>());
        Assert.That(() => overlay.Write(-1, new byte[1]), Throws.InstanceOf<InvalidImageException>());
        Assert.That(overlay.DirtyRanges, Is.Empty);
    }

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class SparseDevice(byte[] data, IReadOnlyList<ByteRange> allocated) : IBlockDevice, IAllocationMap
    {
        private readonly MemoryBlockDevice _inner = new(data, writable: false);

        public long Length => _inner.Length;

        public int SectorSize => 512;

        public bool CanWrite => false;

        public void Read(long offset, Span<byte> destination) => _inner.Read(offset, destination);

        public void Write(long offset, ReadOnlySpan<byte> source) => _inner.Write(offset, source);

        public void Flush()
        {
        }

        public IEnumerable<ByteRange> GetAllocatedRanges() => allocated;

        public void Dispose()
        {
        }
    }
}
