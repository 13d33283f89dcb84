using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Ext4.Journal;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>Journals written by debugfs (jo/jw/jc), replayed by us on one copy and by e2fsck -fy on another.</summary>
[TestFixture]
public sealed class JournalReplayOracleTests
{
    private const int JournalStartOffset = 0x1C;

    [TestCase(1024, "jo", new string[0], TestName = "Replay_1k_NoChecksum_64bitTags")]
    [TestCase(4096, "jo -c", new string[0], TestName = "Replay_4k_CsumV3")]
    [TestCase(1024, "jo -c -v 2", new string[0], TestName = "Replay_1k_CsumV2")]
    [TestCase(1024, "jo", new[] { "-O", "^64bit,^metadata_csum" }, TestName = "Replay_1k_NoChecksum_32bitTags")]
    [TestCase(4096, "jo -c", new[] { "-O", "^64bit" }, TestName = "Replay_4k_CsumV3_32bitTags")]
    [TestCase(1024, "jo -c -v 2", new[] { "-O", "^64bit" }, TestName = "Replay_1k_CsumV2_32bitTags")]
    public void ReplayMatchesE2fsck(int blockSize, string open, string[] mkfsOptions)
    {
        using var dir = new TempDirectory("jbd2");
        var image = JournalTestImage.Create(dir, "fs.img", blockSize, "16", mkfsOptions);
        var free = image.FreeBlocks(6, blockSize == 1024 ? 9000 : 3000);
        var fileA = image.DataFile(dir, "a.bin", 3, seed: 1, magicAt: 1);
        var fileB = image.DataFile(dir, "b.bin", 2, seed: 2);
        var fileC = image.DataFile(dir, "c.bin", 1, seed: 3, magicAt: 0);
        var fileD = image.DataFile(dir, "d.bin", 1, seed: 4);
        image.Debugfs(
            open,
            $"jw -b {free[0]},{free[1]},{free[2]} {fileA}",
            $"jw -r {free[1]}",
            $"jw -b {free[3]},{free[0]} {fileB}",
            $"jw -r {free[3]}",
            $"jw -b {free[1]} {fileC}",
            $"jw -b {free[5]} -c {fileD}",
            "jc");

        var original = File.ReadAllBytes(image.Path);
        var pathA = image.CopyTo(dir.File("a.img"));
        var pathB = image.CopyTo(dir.File("b.img"));

        var deviceA = image.Load(pathA);
        var result = JournalReplayer.Replay(deviceA, blockSize, image.JournalBlocks.Length, image.Map);
        File.WriteAllBytes(pathA, deviceA.Data);
        var fsck = ExternalTool.Run("e2fsck", "-fy", pathB);
        Assert.That(fsck.ExitCode, Is.LessThanOrEqualTo(1), fsck.ToString());
        var imageB = File.ReadAllBytes(pathB);

        Assert.That(result, Is.EqualTo(new JournalReplayResult(5, 3)));

        // Independent of e2fsck: what each block must hold after a correct replay.
        byte[] Expect(string file, int index) => JournalTestImage.Block(File.ReadAllBytes(file), blockSize, index);
        Assert.That(Block(deviceA.Data, free[0]), Is.EqualTo(Expect(fileB, 1)), "later transaction wins");
        Assert.That(Block(deviceA.Data, free[1]), Is.EqualTo(Expect(fileC, 0)), "rewritten after its revoke, escaped");
        Assert.That(Block(deviceA.Data, free[2]), Is.EqualTo(Expect(fileA, 2)), "plain copy");
        Assert.That(Block(deviceA.Data, free[3]), Is.EqualTo(Block(original, free[3])), "revoked");
        Assert.That(Block(deviceA.Data, free[5]), Is.EqualTo(Block(original, free[5])), "uncommitted");
        Assert.That(Block(imageB, free[1]), Is.EqualTo(Expect(fileC, 0)), "oracle sanity");

        // Byte-for-byte against e2fsck, except the superblocks and descriptors e2fsck rewrites anyway.
        var allowed = image.SuperblockAndDescriptorBlocks(pathB);
        var differing = DifferingBlocks(deviceA.Data, imageB, blockSize).Where(b => !allowed.Contains(b)).ToList();
        Assert.That(differing, Is.Empty, "blocks that differ from e2fsck's replay");

        var journalSuperblock = Block(deviceA.Data, image.JournalBlocks[0]);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(journalSuperblock.AsSpan(JournalStartOffset)), Is.Zero, "s_start");

        var again = JournalReplayer.Replay(deviceA, blockSize, image.JournalBlocks.Length, image.Map);
        Assert.That(again, Is.EqualTo(new JournalReplayResult(0, 0)));
        Assert.That(deviceA.Data.AsSpan().SequenceEqual(File.ReadAllBytes(pathA)), Is.True, "second replay wrote something");

        ExternalTool.Check("debugfs", "-w", "-R", "feature -needs_recovery", pathA);
        var check = ExternalTool.Run("e2fsck", "-fn", pathA);
        Assert.That(check.ExitCode, Is.Zero, check.ToString());
    }

    [Test]
    public void CorruptCommitBlockEndsReplayLikeE2fsck()
    {
        using var dir = new TempDirectory("jbd2");
        var image = JournalTestImage.Create(dir, "fs.img", 1024, "16");
        var free = image.FreeBlocks(3, 9000);
        var file = image.DataFile(dir, "a.bin", 1, seed: 5);
        image.Debugfs("jo -c", $"jw -b {free[0]} {file}", $"jw -b {free[1]} {file}", $"jw -b {free[2]} {file}", "jc");

        // Flip a byte in the padding of transaction 2's commit block: its crc32c no longer matches.
        var bytes = File.ReadAllBytes(image.Path);
        var commit = Enumerable.Range(1, 32).Select(j => image.JournalBlocks[j]).Single(b =>
            BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)(b * 1024) + 4)) == 2
            && BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)(b * 1024) + 8)) == 2);
        bytes[(int)(commit * 1024) + 0x40] ^= 1;
        File.WriteAllBytes(image.Path, bytes);

        var pathA = image.CopyTo(dir.File("a.img"));
        var pathB = image.CopyTo(dir.File("b.img"));
        var deviceA = image.Load(pathA);
        var result = JournalReplayer.Replay(deviceA, 1024, image.JournalBlocks.Length, image.Map);
        var fsck = ExternalTool.Run("e2fsck", "-fy", pathB);
        Assert.That(fsck.StdOut, Does.Contain("Journal transaction 2 was corrupt"), fsck.ToString());
        var imageB = File.ReadAllBytes(pathB);

        Assert.That(result, Is.EqualTo(new JournalReplayResult(1, 1)));
        Assert.That(Block(deviceA.Data, free[1]), Is.EqualTo(Block(bytes, free[1])), "transaction 2 is not replayed");

        // e2fsck also records the failure in the journal superblock's s_errno; everything else must match.
        var allowed = image.SuperblockAndDescriptorBlocks(pathB);
        allowed.Add(image.JournalBlocks[0]);
        var differing = DifferingBlocks(deviceA.Data, imageB, 1024).Where(b => !allowed.Contains(b)).ToList();
        Assert.That(differing, Is.Empty, "blocks that differ from e2fsck's replay");
    }

    internal static byte[] Block(byte[] image, long block) => JournalTestImage.Block(image, image.Length > 0 ? BlockSizeOf(image) : 0, block);

    internal static List<long> DifferingBlocks(byte[] a, byte[] b, int blockSize)
    {
        Assert.That(a, Has.Length.EqualTo(b.Length));
        var list = new List<long>();
        for (long block = 0; block < a.Length / blockSize; block++)
        {
            var offset = (int)(block * blockSize);
            if (!a.AsSpan(offset, blockSize).SequenceEqual(b.AsSpan(offset, blockSize)))
            {
                list.Add(block);
            }
        }

        return list;
    }

    // ext4 s_log_block_size at superblock offset 1024 + 0x18.
    private static int BlockSizeOf(byte[] image) => 1024 << BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(1024 + 0x18));
}
