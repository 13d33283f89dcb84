using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Xfs.Tests;

/// <summary>Every mkfs.xfs feature set the issue names, populated by the kernel: the managed reader's listing
/// (types, modes, owners, sizes, links, inode numbers, times, content hashes, symlink targets, xattrs) must equal
/// the kernel's.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class MatrixTests
{
    /// <summary>v4 (the kernel here cannot mount it): content, kinds, modes and owners against the host tree the
    /// prototype copied; inode numbers against xfs_db ls.</summary>
    [TestCase("-m crc=0", TestName = "v4 (crc=0)")]
    [TestCase("-m crc=0 -s size=512 -b size=512", TestName = "v4 512-byte blocks and sectors")]
    [TestCase("-m crc=0 -n ftype=0", TestName = "v4 without ftype")]
    [TestCase("-m crc=0 -b size=1024 -n size=4096 -i size=512", TestName = "v4 1 KiB blocks, 4 KiB directory blocks")]
    public void ReaderMatchesPrototypeV4(string options)
    {
        XfsOracle.Require();
        using var tmp = new TempDirectory("sealer-xfs4");
        var (image, host) = XfsOracle.MakeProtoImage(tmp, options);
        var expected = XfsOracle.HostListing(host);
        using var device = new FileBlockDevice(image, writable: false);
        using var fs = XfsFileSystem.Open(device);
        Assert.That(fs.FeatureSummary, Does.StartWith("v4 "));
        Assert.That(fs.LogIsClean, Is.True);
        var managed = XfsOracle.ManagedListing(fs);
        Assert.That(expected, Has.Count.GreaterThan(3000), "the fixture was populated");
        Assert.That(managed.Keys, Is.EquivalentTo(expected.Keys), "paths");
        foreach (var (path, line) in expected)
        {
            var want = line.Split('\t');
            var got = managed[path].Split('\t');
            // kind, mode, uid, gid, size (not for directories), content hash or link target.
            var fields = want[1] == "d" ? new[] { 1, 2, 3, 4 } : new[] { 1, 2, 3, 4, 5, 11 };
            Assert.That(fields.Select(i => got[i]), Is.EqualTo(fields.Select(i => want[i])), path);
            Assert.That(got[12], Is.Empty, $"attributes of {path}");
        }

        foreach (var dir in expected.Where(e => e.Value.Split('\t')[1] == "d").Select(e => e.Key))
        {
            var db = XfsOracle.DbList(image, dir);
            var entries = fs.ReadDirectory(dir);
            Assert.That(entries.Select(e => e.Name), Is.EquivalentTo(db.Keys.Where(k => k is not "." and not "..")), dir);
            foreach (var e in entries)
            {
                Assert.That((ulong)e.Inode, Is.EqualTo(db[e.Name].Inode), $"{dir}/{e.Name}");
            }
        }

        Assert.That(device.Writes, Is.Zero);
    }

    [TestCase("", true, TestName = "v5 defaults (xfsprogs 6.1), big directories")]
    [TestCase("-m reflink=0", false, TestName = "v5 reflink=0")]
    [TestCase("-m reflink=1,rmapbt=1", false, TestName = "v5 reflink=1 rmapbt=1")]
    [TestCase("-m finobt=0", false, TestName = "v5 finobt=0")]
    [TestCase("-i sparse=0", false, TestName = "v5 sparse=0")]
    [TestCase("-s size=4096", false, TestName = "v5 4 KiB sectors")]
    [TestCase("-d agcount=24", false, 2048, TestName = "v5 small AGs (24 x 85 MiB)")]
    [TestCase("-d agcount=2", false, 2048, TestName = "v5 large AGs (2 x 1 GiB)")]
    [TestCase("-m bigtime=0,inobtcount=0", false, TestName = "v5 bigtime=0")]
    [TestCase("-i nrext64=1", false, TestName = "v5 nrext64")]
    [TestCase("-b size=1024 -n size=8192", false, TestName = "v5 1 KiB blocks, 8 KiB directory blocks")]
    [TestCase("-i size=1024 -L sealer-lbl", false, TestName = "v5 1 KiB inodes with a label")]
    public void ReaderMatchesKernel(string options, bool big, int sizeMiB = 320)
    {
        XfsOracle.Require();
        using var tmp = new TempDirectory("sealer-xfs");
        var image = XfsOracle.MakeImage(tmp, options, big, (long)sizeMiB << 20);
        var kernel = XfsOracle.KernelListing(tmp, image);
        using var device = new FileBlockDevice(image, writable: false);
        using var fs = XfsFileSystem.Open(device);
        var managed = XfsOracle.ManagedListing(fs);
        Assert.That(kernel, Has.Count.GreaterThan(big ? 27000 : 3000), "the fixture was populated");
        Assert.That(managed.Keys, Is.EquivalentTo(kernel.Keys), "paths");
        foreach (var (path, line) in kernel)
        {
            Assert.That(managed[path], Is.EqualTo(line), path);
        }

        var db = XfsOracle.XfsDb(image, "uuid", "label");
        Assert.That(fs.Identity.Uuid, Is.EqualTo(XfsOracle.DbField(db, "UUID")));
        var label = XfsOracle.DbField(db, "label").Trim('"');
        Assert.That(fs.Identity.Label ?? string.Empty, Is.EqualTo(label));
        Assert.That(fs.CanWrite, Is.False);
        Assert.That(fs.LogIsClean, Is.True);
        Assert.That(device.Writes, Is.Zero);
    }
}
