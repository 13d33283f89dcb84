using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Core.Checksums;
using Sealer.Core.Errors;
using Sealer.Ext4.Journal;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>mke2fs -O fast_commit journals (1024 log blocks + 16 fast-commit blocks) with the jbd2 FAST_COMMIT bit set,
/// as a kernel that used fast commits leaves them.</summary>
[TestFixture]
public sealed class JournalFastCommitTests
{
    [Test]
    public void FullCommitsReplayLikeE2fsckWhenNoFastCommitBlocksArePresent()
    {
        using var dir = new TempDirectory("jbd2-fc");
        var (image, free) = Build(dir, headTid: null);
        var pathA = image.CopyTo(dir.File("a.img"));
        var pathB = image.CopyTo(dir.File("b.img"));
        var deviceA = image.Load(pathA);
        var result = JournalReplayer.Replay(deviceA, 1024, image.JournalBlocks.Length, image.Map);
        var fsck = ExternalTool.Run("e2fsck", "-fy", pathB);
        Assert.That(fsck.ExitCode, Is.LessThanOrEqualTo(1), fsck.ToString());

        Assert.That(result, Is.EqualTo(new JournalReplayResult(1, 2)));
        var imageB = File.ReadAllBytes(pathB);
        Assert.That(JournalTestImage.Block(imageB, 1024, free[1]), Is.EqualTo(JournalTestImage.Block(deviceA.Data, 1024, free[1])));
        var allowed = image.SuperblockAndDescriptorBlocks(pathB);
        var differing = JournalReplayOracleTests.DifferingBlocks(deviceA.Data, imageB, 1024).Where(b => !allowed.Contains(b)).ToList();
        Assert.That(differing, Is.Empty, "blocks that differ from e2fsck's replay");
    }

    [Test]
    public void FastCommitBlocksForTheNextTransactionAreRefused()
    {
        using var dir = new TempDirectory("jbd2-fc");
        var (image, _) = Build(dir, headTid: 2);
        var before = File.ReadAllBytes(image.Path);
        var device = image.Load(image.Path);
        var error = Assert.Throws<UnsupportedFeatureException>(() =>
            JournalReplayer.Replay(device, 1024, image.JournalBlocks.Length, image.Map));
        Assert.That(error!.Message, Is.EqualTo("jbd2: fast-commit journal replay is not supported"));
        Assert.That(device.Data.AsSpan().SequenceEqual(before), Is.True, "nothing may be written");
    }

    private static (JournalTestImage Image, long[] Free) Build(TempDirectory dir, uint? headTid)
    {
        var image = JournalTestImage.Create(dir, "fs.img", 1024, "16", "-O", "fast_commit");
        Assert.That(image.JournalBlocks, Has.Length.EqualTo(1040));
        var free = image.FreeBlocks(2, 9000);
        var file = image.DataFile(dir, "a.bin", 2, seed: 9);
        image.Debugfs("jo -c", $"jw -b {free[0]},{free[1]} {file}", "jc");

        var bytes = File.ReadAllBytes(image.Path);
        var superblock = bytes.AsSpan((int)(image.JournalBlocks[0] * 1024), 1024);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(superblock[0x54..]), Is.EqualTo(16u), "s_num_fc_blks");
        BinaryPrimitives.WriteUInt32BigEndian(superblock[0x28..], BinaryPrimitives.ReadUInt32BigEndian(superblock[0x28..]) | 0x20);
        BinaryPrimitives.WriteUInt32BigEndian(superblock[0xFC..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(superblock[0xFC..], Crc32C.Update(0xFFFFFFFF, superblock));
        if (headTid is { } tid)
        {
            // An EXT4_FC_TAG_HEAD TLV {le16 tag 9, le16 len 8, le32 features, le32 tid} at the first fast-commit block (1024 + 1).
            var head = bytes.AsSpan((int)(image.JournalBlocks[1025] * 1024), 1024);
            head.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(head, 9);
            BinaryPrimitives.WriteUInt16LittleEndian(head[2..], 8);
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], tid);
        }

        File.WriteAllBytes(image.Path, bytes);
        return (image, free);
    }
}
