using System.Buffers.Binary;
using System.Diagnostics;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.TestSupport;

namespace Sealer.Xfs.Tests;

/// <summary>The populated fixtures reach every on-disk format the reader claims (checked against xfs_db), hostile
/// images fail with one-line errors naming the structure, and every write is refused by name without writing.</summary>
[TestFixture]
[NonParallelizable]
public sealed class StructureTests
{
    private TempDirectory? _tmp5;
    private TempDirectory? _tmp4;
    private string _v5 = string.Empty;
    private string _v4 = string.Empty;

    [OneTimeSetUp]
    public void MakeImages()
    {
        XfsOracle.Require();
        _tmp5 = new TempDirectory("sealer-xfs5");
        _tmp4 = new TempDirectory("sealer-xfs4");
        _v5 = XfsOracle.MakeImage(_tmp5, string.Empty, big: true);
        _v4 = XfsOracle.MakeProtoImage(_tmp4, "-m crc=0").Image;
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _tmp5?.Dispose();
        _tmp4?.Dispose();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void FixturesReachEveryFormat(bool v5)
    {
        var image = v5 ? _v5 : _v4;
        using var device = new FileBlockDevice(image, writable: false);
        using var fs = XfsFileSystem.Open(device);
        Assert.That(fs.DirectoryShape("/dir-short"), Is.EqualTo("shortform"));
        Assert.That(fs.DirectoryShape("/dir-block"), Is.EqualTo("block"));
        Assert.That(fs.DirectoryShape("/dir-leaf"), Is.EqualTo("leaf"));
        Assert.That(fs.DirectoryShape("/dir-node"), Is.AnyOf("node", "btree"));
        if (v5)
        {
            Assert.That(fs.DirectoryShape("/dir-btree-a"), Is.EqualTo("btree"));
            Assert.That(fs.ReadDirectory("/dir-btree-a"), Has.Count.EqualTo(12000));
        }

        foreach (var dir in new[] { "/dir-short", "/dir-block", "/dir-leaf", "/dir-node" })
        {
            var inode = fs.InodeOf(dir);
            var db = XfsOracle.XfsDb(image, $"inode {inode.Number}", "p core.format core.size");
            Assert.That(DbNumber(db, "core.format"), Is.EqualTo((int)inode.DataFormat), dir);
            Assert.That(long.Parse(XfsOracle.DbField(db, "core.size")), Is.EqualTo(inode.Size), dir);
        }

        Assert.That(fs.ReadDirectory("/dir-node"), Has.Count.EqualTo(2901));
        Assert.That(fs.InodeOf("/short-link").DataFormat, Is.EqualTo(ForkFormat.Local));
        Assert.That(fs.InodeOf("/long-link").DataFormat, Is.EqualTo(ForkFormat.Extents));
        Assert.That(fs.ReadLink("/max-link"), Is.EqualTo(new string('x', 1000)));
        if (!v5)
        {
            return;
        }

        Assert.That(fs.InodeOf("/medium.bin").AttrFormat, Is.EqualTo(ForkFormat.Local));
        Assert.That(fs.InodeOf("/leaf-attrs").AttrExtents, Is.EqualTo(1UL));
        Assert.That(fs.InodeOf("/node-attrs").AttrExtents, Is.GreaterThan(1UL));
        Assert.That(fs.ReadAttributes("/node-attrs"), Has.Count.EqualTo(600));
        Assert.That(fs.ReadAttributes("/remote-attr")["user.big"], Has.Length.EqualTo(3000));

        // The v4 prototype writes files contiguously; the kernel-populated v5 fixture has the fragmented ones.
        Assert.That(fs.InodeOf("/fragmented.bin").DataFormat, Is.EqualTo(ForkFormat.Btree));
        Assert.That(fs.ReadAttributes("/etc/hostname")["security.selinux"], Is.EqualTo("system_u:object_r:etc_t:s0\0"u8.ToArray()));
        var frag = fs.InodeOf("/fragmented.bin");
        var fdb = XfsOracle.XfsDb(image, $"inode {frag.Number}", "p core.format core.nextents");
        Assert.That(DbNumber(fdb, "core.format"), Is.EqualTo(3));
        Assert.That(ulong.Parse(XfsOracle.DbField(fdb, "core.nextents")), Is.EqualTo(frag.DataExtents));
    }

    [Test]
    public void PathSemantics()
    {
        using var device = new FileBlockDevice(_v5, writable: false);
        using var fs = XfsFileSystem.Open(device);
        Assert.That(fs.TryStat("/short-link")!.Value.Kind, Is.EqualTo(FileKind.Symlink), "lstat, not stat");
        Assert.That(fs.TryStat("/nope"), Is.Null);
        Assert.That(fs.TryStat("/etc/sub/../hostname")!.Value.Kind, Is.EqualTo(FileKind.Regular), ".. is looked up on disk");
        Assert.That(fs.TryStat("/dir-short/..")!.Value.Inode, Is.EqualTo(fs.TryStat("/")!.Value.Inode), "shortform parent");
        Assert.That(Code(() => fs.ReadDirectory("/short-link")), Is.EqualTo(FsError.NotADirectory));
        Assert.That(Code(() => fs.TryStat("/short-link/x")), Is.EqualTo(FsError.NotADirectory), "symlinks are not followed");
        Assert.That(Code(() => fs.OpenRead("/etc")), Is.EqualTo(FsError.IsADirectory));
        Assert.That(Code(() => fs.ReadLink("/etc/hostname")), Is.EqualTo(FsError.InvalidPath));
        using var sparse = fs.OpenRead("/sparse.bin");
        var buffer = new byte[4];
        sparse.Seek(1 << 29, SeekOrigin.Begin);
        sparse.ReadExactly(buffer);
        Assert.That(buffer, Is.EqualTo(new byte[4]), "holes read as zeros");
        sparse.Seek(1 << 30, SeekOrigin.Begin);
        sparse.ReadExactly(buffer);
        Assert.That(buffer, Is.EqualTo("tail"u8.ToArray()));
        Assert.That(XfsFileSystem.Probe(device), Is.EqualTo(fs.Identity));
    }

    [Test]
    public void EveryWriteIsRefusedByNameAndNothingIsWritten()
    {
        using var device = new FileBlockDevice(_v5, writable: true);
        using var fs = XfsFileSystem.Open(device, writable: true);
        Assert.That(fs.CanWrite, Is.False);
        var writes = new Action[]
        {
            () => fs.WriteFile("/new", [1], (UnixFileMode)0x1A4),
            () => fs.Append("/etc/hostname", [1]),
            () => fs.Truncate("/etc/hostname", 0),
            () => fs.Delete("/etc/hostname"),
            () => fs.RemoveDirectory("/emptydir"),
            () => fs.DeleteTree("/etc"),
            () => fs.CreateDirectory("/d", (UnixFileMode)0x1ED),
            () => fs.CreateSymbolicLink("/l", "x"),
            () => fs.CreateHardLink("/etc/hostname", "/h"),
            () => fs.Rename("/etc/hostname", "/h"),
            () => fs.SetMode("/etc/hostname", (UnixFileMode)0x1FF),
            () => fs.SetOwner("/etc/hostname", 1, 1),
            () => fs.SetTimes("/etc/hostname", 1, 1),
        };
        foreach (var write in writes)
        {
            var e = Assert.Throws<UnsupportedFeatureException>(() => write())!;
            Assert.That(e.Message, Does.StartWith("xfs: cannot write: writing XFS is not implemented"));
        }

        fs.Flush();
        Assert.That(device.Writes, Is.Zero);
        XfsOracle.AssertRepairClean(_v5, "refused writes");
    }

    [Test]
    public void CorruptSuperblockAndAgHeaders()
    {
        Rejected(_v4, (d, fs) => d.Patch(0, [0, 0, 0, 0]), null, "no XFSB magic");
        Rejected(_v5, (d, fs) => d.Patch(108, "corrupt"u8), null, "superblock (AG 0, offset 0x0): CRC mismatch");
        Rejected(_v4, (d, fs) => d.Patch(88, BigEndian32(70000)), null, "superblock: invalid");
        Rejected(_v4, (d, fs) => d.Patch(4, BigEndian32(3000)), null, "superblock: invalid block size 3000");
        Rejected(_v4, (d, fs) => d.Patch(8, BigEndian64(1UL << 40)), null, "superblock: invalid");
        Rejected(_v4, (d, fs) => d.Patch(16, BigEndian64(100)), null, null, unsupported: "unsupported feature: realtime subvolume");
        Rejected(_v5, (d, fs) => PatchSuperblockV5(d, fs, 216, BigEndian32(0x100 | 0x1)), null, null, unsupported: "unsupported incompat features: metadir");
        Rejected(_v5, (d, fs) => PatchSuperblockV5(d, fs, 0x7E, [1]), null, "sb_inprogress");
        Rejected(_v4, (d, fs) => d.Patch(AgStart(fs, 1) + 512, [0, 0, 0, 0]), null, "AG 1 AGF");
        Rejected(_v5, (d, fs) => d.Patch(AgStart(fs, 2) + (2L * 512) + 40, [1, 2, 3, 4]), null, "AG 2 AGI (offset");
        Rejected(_v5, (d, fs) => d.Patch(AgStart(fs, 0) + (3L * 512) + 40, [1, 2, 3, 4]), null, "AG 0 AGFL");
        Rejected(_v4, (d, fs) => d.Patch(AgStart(fs, 3) + (2L * 512) + 20, BigEndian32(0)), null, "AG 3 AGI");
    }

    [Test]
    public void CorruptInodesAndForks()
    {
        // v5: any changed inode byte fails the inode CRC.
        Rejected(_v5, (d, fs) => d.Patch(InodeOffset(fs, "/etc") + 8, [9]), f => f.ReadDirectory("/etc"), "CRC mismatch");
        // v4: no CRC, so the range checks must catch an extent count that cannot fit the fork.
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/medium.bin") + 76, BigEndian32(1000)), f => f.OpenRead("/medium.bin"), "do not fit in the inode");
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/medium.bin") + 100 + 8, BigEndian64(0xFFFF_FFFF_FFFF_FFFF)), f => f.OpenRead("/medium.bin"), "outside the file system");
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/medium.bin"), [0, 0]), f => f.TryStat("/medium.bin"), "bad magic");
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/medium.bin") + 82, [200]), f => f.TryStat("/medium.bin"), "attribute fork offset");

        // A bmap btree whose root points twice at the same child: a loop, detected (v5 with the inode CRC fixed up).
        Rejected(_v5, (d, fs) =>
        {
            var inode = fs.InodeOf("/fragmented.bin");
            var offset = InodeOffset(fs, "/fragmented.bin");
            var raw = new byte[fs.Volume.Sb.InodeSize];
            fs.Volume.ReadAt(offset, raw);
            var fork = raw.AsSpan(XfsInode.CoreSizeV3, inode.DataFork.Length);
            var maxrecs = (fork.Length - 4) / 16;
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(fork[2..]), Is.GreaterThan(1), "fixture root has several children");
            fork.Slice(4 + (maxrecs * 8), 8).CopyTo(fork[(4 + (maxrecs * 8) + 8)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(XfsInode.OffCrc), XfsChecksum.Compute(raw, XfsInode.OffCrc));
            d.Patch(offset, raw);
        }, f => f.OpenRead("/fragmented.bin"), "loop in the btree");
    }

    [Test]
    public void CorruptDirectoriesSymlinksAndAttributes()
    {
        Rejected(_v4, (d, fs) => d.Patch(DataBlockOffset(fs, "/dir-block") + 30, [0x12, 0x34]), f => f.ReadDirectory("/dir-block"), "tag");
        Rejected(_v4, (d, fs) => d.Patch(DataBlockOffset(fs, "/dir-block") + 16 + 8, [0]), f => f.ReadDirectory("/dir-block"), "name length 0");
        Rejected(_v4, (d, fs) => d.Patch(DataBlockOffset(fs, "/dir-leaf"), [0, 0, 0, 0]), f => f.ReadDirectory("/dir-leaf"), "directory block 0: bad data block magic");
        Rejected(_v5, (d, fs) => d.Patch(DataBlockOffset(fs, "/dir-node") + 100, [0xAA]), f => f.ReadDirectory("/dir-node"), "CRC mismatch");
        // Shortform entry pointing at an inode number the geometry cannot hold (v4: 4-byte inode numbers, ftype byte).
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/dir-short") + 100 + 6 + 3 + 2 + 1, BigEndian32(0xFFFFFFF0)), f => f.TryStat("/dir-short/f0"), "outside the file system");
        Rejected(_v4, (d, fs) => d.Patch(InodeOffset(fs, "/dir-short") + 100, [200]), f => f.ReadDirectory("/dir-short"), "shortform directory");
        Rejected(_v5, (d, fs) => d.Patch(DataBlockOffset(fs, "/long-link") + 70, [0x41]), f => f.ReadLink("/long-link"), "symlink block 0: CRC mismatch");
        Rejected(_v5, (d, fs) => d.Patch(AttrBlockOffset(fs, "/leaf-attrs") + 200, [0x41]), f => f.ReadAttributes("/leaf-attrs"), "attribute leaf");
        Rejected(_v5, (d, fs) => d.Patch(InodeOffset(fs, "/medium.bin") + 100, [1]), f => f.ReadAttributes("/medium.bin"), "CRC mismatch");
    }

    /// <summary>Random byte changes in the structures a full walk reads: only the documented one-line errors, in
    /// bounded time, and never a write.</summary>
    [TestCase(false, 200)]
    [TestCase(true, 25)]
    public void FuzzedImagesFailCleanly(bool v5, int rounds)
    {
        using var baseDevice = new FileBlockDevice(v5 ? _v5 : _v4, writable: false);
        var device = new PatchedDevice(baseDevice);
        using (var clean = XfsFileSystem.Open(device))
        {
            WalkAll(clean, "/");
        }

        // Aim at metadata: reads of at most one directory block (file content is read in larger runs as well).
        var targets = device.Reads.Where(r => r.Length <= 65536).Distinct().ToArray();
        var rnd = new Random(v5 ? 5 : 4);
        var outcomes = new Dictionary<string, int>();
        for (var round = 0; round < rounds; round++)
        {
            device.ClearPatches();
            var (offset, length) = targets[rnd.Next(targets.Length)];
            var bytes = new byte[rnd.Next(1, 5)];
            rnd.NextBytes(bytes);
            device.Patch(offset + rnd.Next(length), bytes);
            var watch = Stopwatch.StartNew();
            string outcome;
            try
            {
                using var fs = XfsFileSystem.Open(device);
                WalkAll(fs, "/");
                outcome = "ok";
            }
            catch (Exception e) when (e is InvalidImageException or UnsupportedFeatureException or GuestFileSystemException)
            {
                Assert.That(e.Message, Does.StartWith("xfs: ").Or.Contain("outside the device").Or.Contain("(NotFound)").Or.Contain("(NotADirectory)").Or.Contain("(InvalidPath)"), e.Message);
                Assert.That(e.Message, Does.Not.Contain('\n'), "one line");
                outcome = e.GetType().Name;
            }

            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"round {round} took {watch.Elapsed}");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.That(outcomes.GetValueOrDefault(nameof(InvalidImageException)), Is.GreaterThan(0), "some corruptions were detected");
    }

    private static void WalkAll(XfsFileSystem fs, string path)
    {
        var st = fs.TryStat(path) ?? throw new GuestFileSystemException(FsError.NotFound, path, "listed but missing");
        fs.ReadAttributes(path);
        switch (st.Kind)
        {
            case FileKind.Regular:
                // Opening builds the extent map (the metadata); one byte is enough of the content.
                using (var s = fs.OpenRead(path))
                {
                    s.ReadByte();
                }

                break;
            case FileKind.Symlink:
                fs.ReadLink(path);
                break;
            case FileKind.Directory:
                foreach (var e in fs.ReadDirectory(path))
                {
                    WalkAll(fs, PosixPath.Combine(path, e.Name));
                }

                break;
        }
    }

    private static void Rejected(string image, Action<PatchedDevice, XfsFileSystem> corrupt, Action<XfsFileSystem>? use, string? mentions, string? unsupported = null)
    {
        using var baseDevice = new FileBlockDevice(image, writable: false);
        var device = new PatchedDevice(baseDevice);
        using (var clean = XfsFileSystem.Open(device))
        {
            use?.Invoke(clean);
            corrupt(device, clean);
        }

        void Act()
        {
            using var fs = XfsFileSystem.Open(device);
            use?.Invoke(fs);
        }

        Exception e = unsupported is null ? Assert.Throws<InvalidImageException>(Act)! : Assert.Throws<UnsupportedFeatureException>(Act)!;
        Assert.That(e.Message, Does.StartWith("xfs: "));
        Assert.That(e.Message, Does.Not.Contain('\n'));
        Assert.That(e.Message, Does.Contain(mentions ?? unsupported ?? string.Empty));
    }

    /// <summary>Changes superblock bytes and recomputes the v5 CRC, so the check behind the CRC is what rejects.</summary>
    private static void PatchSuperblockV5(PatchedDevice d, XfsFileSystem fs, int offset, byte[] bytes)
    {
        var sector = new byte[fs.Volume.Sb.SectorSize];
        fs.Volume.ReadAt(0, sector);
        bytes.CopyTo(sector.AsSpan(offset));
        BinaryPrimitives.WriteUInt32LittleEndian(sector.AsSpan(XfsSuperblock.OffCrc), XfsChecksum.Compute(sector, XfsSuperblock.OffCrc));
        d.Patch(0, sector);
    }

    private static FsError Code(Action action) => Assert.Throws<GuestFileSystemException>(() => action())!.Code;

    private static long AgStart(XfsFileSystem fs, uint agno) => (long)agno * fs.Volume.Sb.AgBlocks * fs.Volume.Sb.BlockSize;

    private static long InodeOffset(XfsFileSystem fs, string path) => XfsInode.Locate(fs.Volume.Sb, fs.InodeOf(path).Number);

    private static long DataBlockOffset(XfsFileSystem fs, string path) =>
        fs.Volume.Sb.FsBlockToOffset(ExtentMap.ReadData(fs.Volume, fs.InodeOf(path)).Extents[0].Physical);

    private static long AttrBlockOffset(XfsFileSystem fs, string path) =>
        fs.Volume.Sb.FsBlockToOffset(ExtentMap.ReadAttr(fs.Volume, fs.InodeOf(path)).Extents[0].Physical);

    private static int DbNumber(string output, string field) => int.Parse(XfsOracle.DbField(output, field).Split(' ')[0]);

    private static byte[] BigEndian16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, v);
        return b;
    }

    private static byte[] BigEndian32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    private static byte[] BigEndian64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }
}
