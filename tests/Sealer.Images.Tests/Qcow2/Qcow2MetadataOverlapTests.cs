using System.Security.Cryptography;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Opening;
using Sealer.Images.Tests.Support;
using Sealer.Images.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

/// <summary>
/// Issue 8 item 1: an L2 entry (or a refcount) that lies must never make a write land on qcow2 metadata or on a
/// cluster that another entry maps. Each fixture is a real qemu-img image with a few bytes patched; each write goes
/// through the in-place commit as a seal does. Expected: InvalidImageException naming the structure and its offset,
/// the file byte-identical, no redo log, and `qemu-img check` output unchanged.
/// </summary>
[TestFixture]
[Category("Oracle")]
public sealed class Qcow2MetadataOverlapTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("sealer-overlap");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    public static IEnumerable<TestCaseData> MetadataKinds()
    {
        yield return Case("L1 table", f => f.L1Offset, "the L1 table at 0x");
        yield return Case("refcount table", f => f.RefTableOffset, "the refcount table at 0x");
        yield return Case("refcount block", f => f.FirstRefBlock, "a refcount block at 0x");
        yield return Case("its own L2 table", f => f.L2OfTarget, "an L2 table at 0x");
        yield return Case("the snapshot's L2 table", f => f.SnapshotL2, "an L2 table at 0x");
        yield return Case("snapshot table", f => f.SnapshotTableOffset, "the snapshot table at 0x");
        yield return Case("snapshot L1 table", f => f.SnapshotL1Offset, "a snapshot's L1 table at 0x");
        yield return Case("bitmap directory", f => f.BitmapDirectory, "the bitmap directory at 0x");
        yield return Case("bitmap table", f => f.BitmapTable, "a bitmap table at 0x");
        yield return Case("bitmap data", f => f.BitmapData, "a bitmap data cluster at 0x");

        static TestCaseData Case(string name, Func<HostileQcow2, long> target, string named) =>
            new TestCaseData(target, named).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(MetadataKinds))]
    public void CopiedEntryPointingAtMetadata_IsRefused_AndNothingIsWritten(Func<HostileQcow2, long> target, string named)
    {
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        var host = target(fixture);
        fixture.RedirectTarget(host);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain(named + $"{host:x}"));
        Assert.That(e.Message, Does.Contain($"guest offset 0x{HostileQcow2.Target:x}"));
        Assert.That(e.Message, Does.Contain("metadata"));
    }

    [Test]
    public void CopiedFlagOnASnapshotSharedCluster_IsRefused()
    {
        // Guest cluster 0 is shared with the snapshot (refcount 2); a COPIED flag claims it is private.
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        var entry = fixture.L2EntryOffset(HostileQcow2.SharedWithSnapshot);
        fixture.WriteU64(entry, fixture.ReadU64(entry) | HostileQcow2.Copied);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.SharedWithSnapshot);

        Assert.That(e.Message, Does.Contain("has the COPIED flag but host cluster").And.Contain("refcount 2"));
    }

    [Test]
    public void TwoCopiedEntriesMappingOneHostCluster_AreRefused()
    {
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        var other = fixture.ReadU64(fixture.L2EntryOffset(HostileQcow2.OtherCopied));
        fixture.WriteU64(fixture.L2EntryOfTarget, other);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("another L2 entry maps too"));
    }

    [Test]
    public void CopiedEntryBeyondTheEndOfTheFile_IsRefused()
    {
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        fixture.RedirectTarget(64L << 20);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("beyond the end of the file"));
    }

    [Test]
    public void UnalignedEntry_IsRefused()
    {
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        var entry = fixture.ReadU64(fixture.L2EntryOfTarget);
        fixture.WriteU64(fixture.L2EntryOfTarget, entry + 0x200);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("unaligned offset"));
    }

    [Test]
    public void ZeroFlagEntryWhoseClusterIsTheL1Table_IsNotReleased()
    {
        // Replacing a preallocated zero cluster drops a reference to it: that must never be the L1 table's.
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        fixture.WriteU64(fixture.L2EntryOfTarget, (ulong)fixture.L1Offset | HostileQcow2.Copied | 1);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("the L1 table at 0x"));
    }

    [Test]
    public void RefcountZeroOnTheL1Table_IsNotAllocatedOver()
    {
        // The refcount block claims the L1 table's cluster is free; a new L2 table or data cluster must not go there.
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        fixture.WriteU16(fixture.RefcountEntryOffset(fixture.L1Offset), 0);

        var e = AssertRefusedUnchanged(fixture, 3L << 20);

        Assert.That(e.Message, Does.Contain("has refcount 0 but holds the L1 table at 0x"));
    }

    [Test]
    public void RefcountZeroOnAMappedDataCluster_IsNotAllocatedOver()
    {
        // Guest cluster 0 has the lowest data cluster of the file; its refcount block now calls it free.
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        var host = (long)(fixture.ReadU64(fixture.L2EntryOffset(HostileQcow2.SharedWithSnapshot)) & HostileQcow2.OffsetMask);
        fixture.WriteU16(fixture.RefcountEntryOffset(host), 0);

        // Writing an unallocated guest cluster allocates; the lowest "free" cluster is that data cluster.
        var e = AssertRefusedUnchanged(fixture, 3L << 20);

        Assert.That(e.Message, Does.Contain("has refcount 0 but holds guest data"));
    }

    [Test]
    public void L1EntryPointingOutsideTheFile_IsRefusedBeforeAnyWrite()
    {
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        fixture.WriteU64(fixture.L1Offset + 8, (64UL << 20) | HostileQcow2.Copied);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("lies outside the file"));
    }

    [Test]
    public void TwoMetadataStructuresInOneCluster_AreRefused()
    {
        // The active L1 points its second L2 table at the refcount table.
        var fixture = HostileQcow2.Create(_dir.File("hostile.qcow2"));
        fixture.WriteU64(fixture.L1Offset + 8, (ulong)fixture.RefTableOffset | HostileQcow2.Copied);

        var e = AssertRefusedUnchanged(fixture, HostileQcow2.Target);

        Assert.That(e.Message, Does.Contain("an L2 table at 0x").And.Contain("overlaps the refcount table at 0x"));
    }

    [Test]
    public void UndamagedFixture_IsWrittenAndStaysClean()
    {
        // The control: the same writes on the unpatched image succeed and qemu-img check stays clean.
        var fixture = HostileQcow2.Create(_dir.File("clean.qcow2"));
        var twin = Qemu.ToRaw(fixture.Path, _dir);
        var data = Payload();
        data.CopyTo(twin.AsSpan((int)HostileQcow2.Target));
        data.CopyTo(twin.AsSpan(3 << 20));

        WriteThroughCommit(fixture.Path, HostileQcow2.Target, data);
        WriteThroughCommit(fixture.Path, 3L << 20, data);

        // Sealer clears the bitmaps autoclear bit when it writes (it does not maintain bitmaps), so qemu-img check
        // counts the bitmap's clusters as leaked (exit 3, "no harm to data"); it must find no error.
        var check = ExternalTool.Run("qemu-img", "check", fixture.Path);
        Assert.That(check.ExitCode, Is.EqualTo(0).Or.EqualTo(3), check.ToString());
        Assert.That(check.StdOut + check.StdErr, Does.Not.Contain("ERROR").And.Not.Contain("corrupt"), check.ToString());
        Qemu.AssertSameBytes(Qemu.ToRaw(fixture.Path, _dir), twin, "guest after writes");
    }

    private InvalidImageException AssertRefusedUnchanged(HostileQcow2 fixture, long guestOffset)
    {
        var before = SHA256.HashData(File.ReadAllBytes(fixture.Path));
        var checkBefore = ExternalTool.Run("qemu-img", "check", fixture.Path);

        var e = Assert.Throws<InvalidImageException>(() => WriteThroughCommit(fixture.Path, guestOffset, Payload()))!;

        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith("qcow2: "));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(SHA256.HashData(File.ReadAllBytes(fixture.Path)), Is.EqualTo(before), "image bytes after the refusal");
        Assert.That(File.Exists(fixture.Path + ".sealer-redo"), Is.False);
        var checkAfter = ExternalTool.Run("qemu-img", "check", fixture.Path);
        Assert.That(checkAfter.ExitCode, Is.EqualTo(checkBefore.ExitCode));
        Assert.That(checkAfter.StdOut + checkAfter.StdErr, Is.EqualTo(checkBefore.StdOut + checkBefore.StdErr));
        return e;
    }

    private static void WriteThroughCommit(string path, long guestOffset, byte[] data) =>
        InPlaceCommit.Commit(path, file =>
        {
            using var image = ImageOpener.Open(file, new ImageOpenOptions { Format = "qcow2", Writable = true });
            image.Device.Write(guestOffset, data);
            image.Device.Flush();
        });

    private static byte[] Payload()
    {
        var data = new byte[HostileQcow2.ClusterSize];
        "127.0.0.1 localhost # /etc/hosts written by a seal\n"u8.CopyTo(data);
        return data;
    }
}
