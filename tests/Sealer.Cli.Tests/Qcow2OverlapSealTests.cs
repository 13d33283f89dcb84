using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Issue 8 item 1 end to end: a Debian qcow2 (4 KiB clusters) whose L2 entry for a guest cluster that the seal rewrites
/// points (COPIED) at the L1 table. Before the fix `seal` exited 0 and wrote guest text into the L1 table; now it exits
/// 3 with one line naming the structure, and the image is byte-identical.
/// </summary>
[TestFixture]
[Category("Oracle")]
public sealed class Qcow2OverlapSealTests
{
    private const int ClusterSize = 4096;
    private const ulong Copied = 1UL << 63;
    private const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00UL;

    [Test]
    public void L2EntryOfARewrittenClusterPointingAtTheL1Table_ExitsThree_AndWritesNothing()
    {
        using var temp = new TempDirectory();
        var raw = TestImages.Copy("debian12-gpt.raw", temp);
        var image = temp.File("disk.qcow2");
        ExternalTool.Check("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-o", $"cluster_size={ClusterSize}", raw, image);

        // Which guest clusters does a seal rewrite? Seal a copy and compare the guest contents.
        var probe = temp.File("probe.qcow2");
        File.Copy(image, probe);
        SealerProcess.RunOk("seal", "-a", probe);
        var guestBefore = ToRaw(image, temp);
        var guestAfter = ToRaw(probe, temp);
        var pristine = File.ReadAllBytes(image);
        var l1Offset = (long)BinaryPrimitives.ReadUInt64BigEndian(pristine.AsSpan(0x28));

        // Prefer file data (text) over file-system metadata: like in the report, the guest must still read fine
        // (`inspect` exits 0), so only the write path can notice the lie.
        var candidates = new List<long>();
        for (long cluster = 0; cluster < guestBefore.Length / ClusterSize; cluster++)
        {
            var span = guestBefore.AsSpan((int)(cluster * ClusterSize), ClusterSize);
            if (span.SequenceEqual(guestAfter.AsSpan((int)(cluster * ClusterSize), ClusterSize)) || !LooksLikeText(span))
            {
                continue;
            }

            var at = L2EntryOffset(pristine, l1Offset, cluster);
            if (at >= 0 && (BinaryPrimitives.ReadUInt64BigEndian(pristine.AsSpan((int)at)) & Copied) != 0)
            {
                candidates.Add(at);
            }
        }

        // For each candidate: the guest must read fine; then the seal either refuses (exit 3, nothing written) or, when
        // this run happens not to write that cluster, succeeds without any new qemu-img check error. At least one
        // candidate must be written by the seal, i.e. refused.
        var refused = false;
        foreach (var at in candidates.Take(12))
        {
            var bytes = (byte[])pristine.Clone();
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan((int)at), (ulong)l1Offset | Copied);
            File.WriteAllBytes(image, bytes);
            if (SealerProcess.Run("inspect", "-a", image).ExitCode != 0)
            {
                continue;
            }

            var before = DiskOracle.Sha256(image);
            var checkBefore = ExternalTool.Run("qemu-img", "check", image);
            var r = SealerProcess.Run("seal", "-a", image);
            var checkAfter = ExternalTool.Run("qemu-img", "check", image);
            if (r.ExitCode == 0)
            {
                Assert.That(ErrorCount(checkAfter), Is.LessThanOrEqualTo(ErrorCount(checkBefore)), $"seal exited 0 but qemu-img check got worse: {checkAfter}");
                continue;
            }

            Assert.That(r.ExitCode, Is.EqualTo(3), r.ToString());
            Assert.That(r.StdErr.Trim().Split('\n'), Has.Length.EqualTo(1), r.ToString());
            Assert.That(r.StdErr, Does.Contain($"points at the L1 table at 0x{l1Offset:x}"), r.ToString());
            Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
            Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
            Assert.That(checkAfter.StdOut + checkAfter.StdErr, Is.EqualTo(checkBefore.StdOut + checkBefore.StdErr));
            refused = true;
            break;
        }

        Assert.That(refused, Is.True, $"none of {candidates.Count} rewritten text clusters was written by the seal of the patched image");
    }

    private static int ErrorCount(ExternalTool.Result check) =>
        (check.StdOut + check.StdErr).Split('\n').Count(l => l.StartsWith("ERROR", StringComparison.Ordinal));

    private static bool LooksLikeText(ReadOnlySpan<byte> cluster)
    {
        var used = cluster.TrimEnd((byte)0);
        if (used.Length < 16)
        {
            return false;
        }

        var printable = 0;
        foreach (var b in used)
        {
            printable += b is (>= 0x20 and < 0x7f) or (byte)'\n' or (byte)'\t' ? 1 : 0;
        }

        return printable * 10 >= used.Length * 9;
    }

    private static long L2EntryOffset(byte[] image, long l1Offset, long guestCluster)
    {
        const int entriesPerL2 = ClusterSize / 8;
        var l2 = (long)(BinaryPrimitives.ReadUInt64BigEndian(image.AsSpan((int)(l1Offset + ((guestCluster / entriesPerL2) * 8)))) & OffsetMask);
        return l2 == 0 ? -1 : l2 + ((guestCluster % entriesPerL2) * 8);
    }

    private static byte[] ToRaw(string image, TempDirectory temp)
    {
        var output = temp.File($"{Guid.NewGuid():N}.raw");
        ExternalTool.Check("qemu-img", "convert", "-O", "raw", image, output);
        var bytes = File.ReadAllBytes(output);
        File.Delete(output);
        return bytes;
    }
}
