using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Transactions;

namespace Sealer.Images.Tests.Transactions;

[TestFixture]
public sealed class RecordingHostFileTests
{
    [Test]
    public void RandomWritesAndResizes_MatchAModel_AndLeaveTheFileUntouched()
    {
        var random = new Random(7);
        var original = new byte[50_000];
        random.NextBytes(original);
        var inner = new MemoryHostFile(original);
        var model = new MemoryHostFile(original);
        using var recording = new RecordingHostFile(inner);

        for (var i = 0; i < 400; i++)
        {
            if (random.Next(10) == 0)
            {
                var length = random.Next(80_000);
                recording.SetLength(length);
                model.SetLength(length);
            }
            else
            {
                var offset = random.Next((int)model.Length + 6000);
                var data = new byte[random.Next(10_000)];
                random.NextBytes(data);
                recording.Write(offset, data);
                model.Write(offset, data);
            }

            Assert.That(recording.Length, Is.EqualTo(model.Length));
            var all = new byte[recording.Length];
            recording.Read(0, all);
            Assert.That(all.AsSpan().SequenceEqual(model.ToArray()), Is.True, $"content after operation {i}");
        }

        Assert.That(inner.ToArray(), Is.EqualTo(original));
        Assert.That(recording.HasChanges, Is.True);
    }

    [Test]
    public void ShrinkThenGrow_ReadsZerosWhereTheOldTailWas()
    {
        var original = Enumerable.Repeat((byte)0xAB, 20_000).ToArray();
        using var recording = new RecordingHostFile(new MemoryHostFile(original));
        recording.Write(9000, new byte[] { 1, 2, 3 });
        recording.SetLength(9001);
        recording.SetLength(20_000);

        var tail = new byte[20_000 - 9000];
        recording.Read(9000, tail);
        Assert.That(tail[0], Is.EqualTo(1));
        Assert.That(tail.Skip(1), Is.All.Zero);
        Assert.That(recording.LowestLength, Is.EqualTo(9001));
    }

    [Test]
    public void NoWrites_HasNoChanges_AndReadsPastTheEndThrow()
    {
        using var recording = new RecordingHostFile(new MemoryHostFile(new byte[100]));
        recording.SetLength(100);
        Assert.That(recording.HasChanges, Is.False);
        Assert.That(recording.DirtyRanges, Is.Empty);
        Assert.That(() => recording.Read(90, new byte[11]), Throws.InstanceOf<InvalidImageException>());
    }
}
