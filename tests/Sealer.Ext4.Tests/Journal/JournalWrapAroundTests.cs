using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Ext4.Journal;
using Sealer.TestSupport;

namespace Sealer.Ext4.Tests.Journal;

/// <summary>Crafted logs that wrap past the journal end and across tid 0xFFFFFFFF -> 0, checked against e2fsck -fy.</summary>
[TestFixture]
public sealed class JournalWrapAroundTests
{
    [TestCase(1024, (uint)JournalIncompat.Revoke, 0u, TestName = "Wrap_1k_32bitTags_NoChecksum")]
    [TestCase(4096, (uint)(JournalIncompat.Revoke | JournalIncompat.Bit64 | JournalIncompat.CsumV3), 0u, TestName = "Wrap_4k_CsumV3")]
    [TestCase(1024, (uint)(JournalIncompat.Revoke | JournalIncompat.CsumV2), 0u, TestName = "Wrap_1k_CsumV2_32bitTags")]
    [TestCase(1024, (uint)(JournalIncompat.Revoke | JournalIncompat.Bit64), (uint)JournalCompat.Checksum, TestName = "Wrap_1k_CompatChecksum")]
    public void WrappedLogMatchesE2fsck(int blockSize, uint incompat, uint compat)
    {
        using var dir = new TempDirectory("jbd2-wrap");
        var image = JournalTestImage.Create(dir, "fs.img", blockSize, "16");
        var t = image.FreeBlocks(5, blockSize == 1024 ? 9000 : 3000);
        var bytes = File.ReadAllBytes(image.Path);
        var baseSuperblock = JournalTestImage.Block(bytes, blockSize, image.JournalBlocks[0]);
        var maxLength = (uint)image.JournalBlocks.Length;

        var random = new Random(11);
        byte[] Data(bool magic = false)
        {
            var d = new byte[blockSize];
            random.NextBytes(d);
            if (magic)
            {
                BinaryPrimitives.WriteUInt32BigEndian(d, JournalBuilder.Magic);
            }

            return d;
        }

        var d0 = Data();
        var d1Old = Data();
        var d2 = Data();
        var d3 = Data(magic: true);
        var d1New = Data();
        var d0New = Data();
        var d4 = Data();
        var journal = new JournalBuilder(blockSize, maxLength, sequence: 0xFFFFFFFE, start: maxLength - 4, (JournalIncompat)incompat, (JournalCompat)compat, baseSuperblock);
        journal.Descriptor(0xFFFFFFFE, (t[0], d0), (t[1], d1Old), (t[2], d2)).Commit(0xFFFFFFFE);
        journal.Revoke(0xFFFFFFFF, [t[1]]).Descriptor(0xFFFFFFFF, (t[3], d3)).Commit(0xFFFFFFFF);
        journal.Descriptor(0, (t[1], d1New), (t[0], d0New)).Commit(0);
        journal.Revoke(1, [t[0]]).Commit(1);
        journal.Descriptor(2, (t[4], d4));
        Assert.That(journal.Next, Is.LessThan(maxLength - 4), "the log must wrap");
        journal.WriteTo(bytes, image.Map);
        File.WriteAllBytes(image.Path, bytes);
        ExternalTool.Check("debugfs", "-w", "-R", "feature needs_recovery", image.Path);

        var pathA = image.CopyTo(dir.File("a.img"));
        var pathB = image.CopyTo(dir.File("b.img"));
        var original = File.ReadAllBytes(pathA);
        var deviceA = image.Load(pathA);
        var result = JournalReplayer.Replay(deviceA, blockSize, image.JournalBlocks.Length, image.Map);
        var fsck = ExternalTool.Run("e2fsck", "-fy", pathB);
        Assert.That(fsck.ExitCode, Is.LessThanOrEqualTo(1), fsck.ToString());
        var imageB = File.ReadAllBytes(pathB);

        Assert.That(result, Is.EqualTo(new JournalReplayResult(4, 3)));
        Assert.That(JournalTestImage.Block(deviceA.Data, blockSize, t[0]), Is.EqualTo(JournalTestImage.Block(original, blockSize, t[0])),
            "revoked in tid 1, which is after 0xFFFFFFFE and 0");
        Assert.That(JournalTestImage.Block(deviceA.Data, blockSize, t[1]), Is.EqualTo(d1New), "tid 0 is after the revoke in 0xFFFFFFFF");
        Assert.That(JournalTestImage.Block(deviceA.Data, blockSize, t[2]), Is.EqualTo(d2));
        Assert.That(JournalTestImage.Block(deviceA.Data, blockSize, t[3]), Is.EqualTo(d3), "escaped block restored");
        Assert.That(JournalTestImage.Block(deviceA.Data, blockSize, t[4]), Is.EqualTo(JournalTestImage.Block(original, blockSize, t[4])), "uncommitted");

        var allowed = image.SuperblockAndDescriptorBlocks(pathB);
        var differing = JournalReplayOracleTests.DifferingBlocks(deviceA.Data, imageB, blockSize).Where(b => !allowed.Contains(b)).ToList();
        Assert.That(differing, Is.Empty, "blocks that differ from e2fsck's replay");
    }
}
