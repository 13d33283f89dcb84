using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Ext4.Journal;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>Crafted journals on an in-memory device: refusals must name the problem and leave the device untouched.</summary>
[TestFixture]
public sealed class JournalMalformedTests
{
    private const int BlockSize = 1024;
    private const int DeviceBlocks = 3072;
    private const long JournalStart = 2000;
    private const uint JournalLength = 1024;

    private static readonly JournalBlockMap Map = journalBlock => JournalStart + journalBlock;

    [Test]
    public void BadMagicIsRefused()
    {
        var journal = Committed(JournalIncompat.Revoke);
        BinaryPrimitives.WriteUInt32BigEndian(journal.SuperblockBytes, 0x12345678);
        AssertRefused<InvalidImageException>(journal, "bad journal superblock magic 0x12345678");
    }

    [Test]
    public void LengthLargerThanJournalInodeIsRefused()
    {
        var journal = Committed(JournalIncompat.Revoke);
        AssertRefused<InvalidImageException>(journal, "journal length 1024 blocks exceeds the journal inode's 1000 blocks", journalBlockCount: 1000);
    }

    [Test]
    public void BlockSizeMismatchIsRefused()
    {
        var journal = Committed(JournalIncompat.Revoke);
        BinaryPrimitives.WriteUInt32BigEndian(journal.SuperblockBytes[0x0C..], 4096);
        AssertRefused<InvalidImageException>(journal, "journal block size 4096 differs from the filesystem block size 1024");
    }

    [Test]
    public void SuperblockChecksumMismatchIsRefused()
    {
        var journal = Committed(JournalIncompat.Revoke | JournalIncompat.CsumV3);
        var image = Image(journal);
        image[(int)(JournalStart * BlockSize) + 0x40] ^= 1;
        AssertRefused<InvalidImageException>(image, "journal superblock checksum", JournalLength);
    }

    [Test]
    public void DescriptorTagsPastTheLogAreRefused()
    {
        // Eight full descriptors (124 tags each, 32-bit tags plus one UUID) fill 1000 of the 1023 log blocks. The ninth
        // has 42 all-zero tags (8 bytes + a UUID each, no LAST_TAG): their data would have to run past the log's start.
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke);
        var writes = Enumerable.Range(0, 124).Select(i => ((long)(100 + i), new byte[BlockSize])).ToArray();
        for (var i = 0; i < 8; i++)
        {
            journal.Descriptor(5, writes, lastTag: false);
        }

        journal.Raw(journal.Header(1, 5));
        AssertRefused<InvalidImageException>(journal, "descriptor block at journal block 1001 (transaction 5) describes 42 blocks, more than the log holds");
    }

    [Test]
    public void RevokeCountPastTheBlockIsRefused()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke);
        journal.Descriptor(5, (300, Filled(1))).Revoke(5, [301], byteCount: BlockSize + 4).Commit(5);
        AssertRefused<InvalidImageException>(journal, "revoke block at journal block 3 (transaction 5) claims 1028 bytes");
    }

    [Test]
    public void LogThatNeverEndsIsRefused()
    {
        // Every log block is a revoke block of the same transaction: without a bound the walk would circle forever.
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 9, start: 1, JournalIncompat.Revoke);
        for (var i = 1; i < JournalLength; i++)
        {
            journal.Revoke(9, []);
        }

        AssertRefused<InvalidImageException>(journal, "log does not end: transaction 9 wraps onto itself");
    }

    [Test]
    public void TagTargetOutsideTheDeviceIsRefused()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.Bit64);
        journal.Descriptor(5, (300, Filled(1)), (DeviceBlocks + 7, Filled(2))).Commit(5);
        AssertRefused<InvalidImageException>(journal, $"targets filesystem block {DeviceBlocks + 7}, outside the device");
    }

    [Test]
    public void UnknownIncompatFeatureIsRefusedByName()
    {
        var journal = Committed(JournalIncompat.Revoke | (JournalIncompat)0x100);
        AssertRefused<UnsupportedFeatureException>(journal, "unsupported journal incompat features 0x100");
    }

    [Test]
    public void DataBlockChecksumMismatchIsRefused()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.CsumV3);
        journal.Descriptor(5, (300, Filled(1)), (301, Filled(2))).Commit(5);
        journal.Blocks[3][100] ^= 0xFF;
        AssertRefused<InvalidImageException>(journal, "data block checksum mismatch for filesystem block 301 at journal block 3 (transaction 5)");
    }

    [Test]
    public void DescriptorChecksumMismatchInANewerTransactionIsRefused()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.CsumV3);
        journal.Descriptor(5, (300, Filled(1))).Commit(5, seconds: 100);
        journal.Descriptor(6, (301, Filled(2))).Commit(6, seconds: 200);
        journal.Blocks[4][BlockSize - 1] ^= 1;
        AssertRefused<InvalidImageException>(journal, "checksum mismatch in transaction 6");
    }

    [Test]
    public void StaleDescriptorWithOlderCommitTimeEndsTheLog()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.CsumV3);
        journal.Descriptor(5, (300, Filled(1))).Commit(5, seconds: 200);
        journal.Descriptor(6, (301, Filled(2))).Commit(6, seconds: 100);
        journal.Blocks[4][BlockSize - 1] ^= 1;
        var device = new MemoryBlockDevice(Image(journal));
        var result = JournalReplayer.Replay(device, BlockSize, JournalLength, Map);
        Assert.That(result, Is.EqualTo(new JournalReplayResult(1, 1)));
        Assert.That(Block(device.Data, 300), Is.EqualTo(Filled(1)));
        Assert.That(Block(device.Data, 301), Is.EqualTo(new byte[BlockSize]));
    }

    [Test]
    public void CommitChecksumFailureEndsReplayBeforeThatTransaction()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.CsumV3);
        journal.Descriptor(5, (300, Filled(1))).Commit(5);
        journal.Descriptor(6, (301, Filled(2))).Commit(6, corrupt: true);
        journal.Descriptor(7, (302, Filled(3))).Commit(7);
        var device = new MemoryBlockDevice(Image(journal));
        var result = JournalReplayer.Replay(device, BlockSize, JournalLength, Map);
        Assert.That(result, Is.EqualTo(new JournalReplayResult(1, 1)));
        Assert.That(Block(device.Data, 300), Is.EqualTo(Filled(1)));
        Assert.That(Block(device.Data, 301), Is.EqualTo(new byte[BlockSize]));
        Assert.That(Block(device.Data, 302), Is.EqualTo(new byte[BlockSize]));
        Assert.That(SuperblockField(device.Data, 0x18), Is.EqualTo(7u), "s_sequence = first unreplayed tid + 1");
    }

    [Test]
    public void CompatChecksumMismatchEndsReplay()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, JournalIncompat.Revoke, JournalCompat.Checksum);
        journal.Descriptor(5, (300, Filled(1))).Commit(5);
        journal.Descriptor(6, (301, Filled(2))).Commit(6, corrupt: true);
        var device = new MemoryBlockDevice(Image(journal));
        Assert.That(JournalReplayer.Replay(device, BlockSize, JournalLength, Map), Is.EqualTo(new JournalReplayResult(1, 1)));
        Assert.That(Block(device.Data, 301), Is.EqualTo(new byte[BlockSize]));
    }

    [Test]
    public void FastCommitBlocksAreRefused()
    {
        var journal = FastCommitJournal(headTid: 6);
        AssertRefused<UnsupportedFeatureException>(journal, "jbd2: fast-commit journal replay is not supported", journalBlockCount: JournalLength + 256);
    }

    [Test]
    public void StaleFastCommitBlocksAreIgnoredLikeTheKernel()
    {
        var journal = FastCommitJournal(headTid: 3);
        var device = new MemoryBlockDevice(Image(journal));
        var result = JournalReplayer.Replay(device, BlockSize, JournalLength + 256, Map);
        Assert.That(result, Is.EqualTo(new JournalReplayResult(1, 1)));
        Assert.That(Block(device.Data, 300), Is.EqualTo(Filled(1)));
    }

    [Test]
    public void Version1SuperblockIsReplayed()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 40, start: 10, JournalIncompat.None, version1: true);
        journal.Descriptor(40, (300, Filled(1)), (301, Filled(2))).Commit(40);
        journal.Revoke(41, [300]).Commit(41);
        var device = new MemoryBlockDevice(Image(journal));
        Assert.That(JournalReplayer.Replay(device, BlockSize, JournalLength, Map), Is.EqualTo(new JournalReplayResult(2, 1)));
        Assert.That(Block(device.Data, 300), Is.EqualTo(new byte[BlockSize]), "revoked by the later transaction");
        Assert.That(Block(device.Data, 301), Is.EqualTo(Filled(2)));
        Assert.That(SuperblockField(device.Data, 0x1C), Is.Zero, "s_start");
        Assert.That(SuperblockField(device.Data, 0x18), Is.EqualTo(43u), "s_sequence");
    }

    [Test]
    public void CleanJournalIsLeftAlone()
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 0, JournalIncompat.Revoke);
        journal.Next = 1;
        journal.Descriptor(5, (300, Filled(1))).Commit(5);
        var image = Image(journal);
        var device = new MemoryBlockDevice((byte[])image.Clone());
        Assert.That(JournalReplayer.Replay(device, BlockSize, JournalLength, Map), Is.EqualTo(new JournalReplayResult(0, 0)));
        Assert.That(device.Data.AsSpan().SequenceEqual(image), Is.True, "a clean journal must not be written");
    }

    [Test]
    public void Crc32BeMatchesTheMpeg2CheckValue()
    {
        // CRC-32/MPEG-2 (poly 0x04C11DB7, init ~0, no reflection, no final XOR) of "123456789" is 0x0376E6E7.
        Assert.That(Crc32Be.Update(uint.MaxValue, "123456789"u8), Is.EqualTo(0x0376E6E7u));
    }

    [Test]
    public void RevokeComparesTidsAcrossTheWrap()
    {
        var table = new RevokeTable();
        table.Add(10, 0xFFFFFFF0);
        table.Add(10, 2);
        table.Add(10, 0xFFFFFFFF);
        Assert.That(table.IsRevoked(10, 0xFFFFFFFE), Is.True);
        Assert.That(table.IsRevoked(10, 2), Is.True, "same tid");
        Assert.That(table.IsRevoked(10, 3), Is.False);
        Assert.That(table.IsRevoked(11, 0), Is.False);
    }

    private static JournalBuilder Committed(JournalIncompat features)
    {
        var journal = new JournalBuilder(BlockSize, JournalLength, sequence: 5, start: 1, features);
        journal.Descriptor(5, (300, Filled(1))).Commit(5);
        return journal;
    }

    private static JournalBuilder FastCommitJournal(uint headTid)
    {
        // 1024 log blocks + the default 256 fast-commit blocks; the first fast-commit block is j_last + 1.
        var journal = new JournalBuilder(BlockSize, JournalLength + 256, sequence: 5, start: 1, JournalIncompat.Revoke | JournalIncompat.FastCommit);
        journal.Descriptor(5, (300, Filled(1))).Commit(5);
        var head = new byte[BlockSize];
        BinaryPrimitives.WriteUInt16LittleEndian(head, 0x0009);
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(2), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), headTid);
        journal.Blocks[JournalLength + 1] = head;
        return journal;
    }

    private static void AssertRefused<T>(JournalBuilder journal, string message, long journalBlockCount = JournalLength)
        where T : Exception => AssertRefused<T>(Image(journal), message, journalBlockCount);

    private static void AssertRefused<T>(byte[] image, string message, long journalBlockCount)
        where T : Exception
    {
        var device = new MemoryBlockDevice((byte[])image.Clone());
        var error = Assert.Throws<T>(() => JournalReplayer.Replay(device, BlockSize, journalBlockCount, Map));
        Assert.That(error!.Message, Does.Contain(message));
        Assert.That(device.Data.AsSpan().SequenceEqual(image), Is.True, "a refused journal must not write anything");
    }

    private static byte[] Image(JournalBuilder journal)
    {
        var image = new byte[DeviceBlocks * BlockSize];
        journal.WriteTo(image, Map);
        return image;
    }

    private static byte[] Filled(byte value) => Enumerable.Repeat(value, BlockSize).ToArray();

    private static byte[] Block(byte[] image, long block) => JournalTestImage.Block(image, BlockSize, block);

    private static uint SuperblockField(byte[] image, int offset) =>
        BinaryPrimitives.ReadUInt32BigEndian(image.AsSpan((int)(JournalStart * BlockSize) + offset));
}
