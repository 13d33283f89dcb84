using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Ext4.Journal;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>Random corruption of a valid crafted journal: the replayer may succeed or refuse with a Sealer error,
/// but never crash with another exception, and a refusal never writes.</summary>
[TestFixture]
public sealed class JournalFuzzTests
{
    private const int BlockSize = 1024;
    private const long JournalStart = 400;
    private const int DeviceBlocks = 1500;
    private static readonly JournalBlockMap Map = journalBlock => JournalStart + journalBlock;

    [TestCase(JournalIncompat.Revoke | JournalIncompat.Bit64 | JournalIncompat.CsumV3)]
    [TestCase(JournalIncompat.Revoke)]
    [TestCase(JournalIncompat.Revoke | JournalIncompat.CsumV2)]
    public void CorruptedJournalsOnlyFailWithSealerErrors(object features)
    {
        var journal = new JournalBuilder(BlockSize, 1024, sequence: 0xFFFFFFFD, start: 1015, (JournalIncompat)features);
        var random = new Random(1234);
        byte[] Data()
        {
            var d = new byte[BlockSize];
            random.NextBytes(d);
            return d;
        }

        journal.Descriptor(0xFFFFFFFD, (300, Data()), (301, Data()), (302, Data())).Commit(0xFFFFFFFD);
        journal.Revoke(0xFFFFFFFE, [301, 3_000_000_000]).Descriptor(0xFFFFFFFE, (303, Data())).Commit(0xFFFFFFFE);
        journal.Descriptor(0xFFFFFFFF, (301, Data()), (304, Data())).Commit(0xFFFFFFFF);
        journal.Descriptor(0, (305, Data())).Commit(0);
        var image = new byte[DeviceBlocks * BlockSize];
        journal.WriteTo(image, Map);
        var used = journal.Blocks.Keys.Append(0u).ToArray();

        // Two reused buffers: the corrupted image and the device the replay may write to (fresh 1.5 MiB arrays per
        // iteration cost more than the replays themselves).
        var corrupt = (byte[])image.Clone();
        var deviceBytes = new byte[image.Length];
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var flipped = new List<int>();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                var block = used[random.Next(used.Length)];
                // Bias towards headers, tags and superblock fields, where the structure lives.
                var offset = random.Next(4) == 0 ? random.Next(BlockSize) : random.Next(0x60);
                var at = (int)((JournalStart + block) * BlockSize) + offset;
                corrupt[at] ^= (byte)(1 << random.Next(8));
                flipped.Add(at);
            }

            Buffer.BlockCopy(corrupt, 0, deviceBytes, 0, corrupt.Length);
            var device = new MemoryBlockDevice(deviceBytes);
            try
            {
                JournalReplayer.Replay(device, BlockSize, 1024, Map);
                outcomes["replayed"] = outcomes.GetValueOrDefault("replayed") + 1;
            }
            catch (SealerException e) when (e is InvalidImageException or UnsupportedFeatureException)
            {
                outcomes[e.GetType().Name] = outcomes.GetValueOrDefault(e.GetType().Name) + 1;
                Assert.That(e.Message, Does.StartWith("jbd2: "));
                Assert.That(deviceBytes.AsSpan().SequenceEqual(corrupt), Is.True, $"iteration {i}: refused after writing ({e.Message})");
            }

            foreach (var at in flipped)
            {
                corrupt[at] = image[at];
            }
        }

        Assert.That(outcomes.GetValueOrDefault("replayed"), Is.GreaterThan(0), string.Join(", ", outcomes));
        Assert.That(outcomes.GetValueOrDefault(nameof(InvalidImageException)), Is.GreaterThan(0), string.Join(", ", outcomes));
    }

    [Test]
    public void ReadOnlyDeviceIsRefusedBeforeWriting()
    {
        var journal = new JournalBuilder(BlockSize, 1024, sequence: 1, start: 1, JournalIncompat.Revoke);
        journal.Descriptor(1, (300, new byte[BlockSize])).Commit(1);
        var image = new byte[DeviceBlocks * BlockSize];
        journal.WriteTo(image, Map);
        var device = new MemoryBlockDevice(image, writable: false);
        var error = Assert.Throws<GuestFileSystemException>(() => JournalReplayer.Replay(device, BlockSize, 1024, Map));
        Assert.That(error!.Code, Is.EqualTo(FsError.ReadOnly));
    }
}
