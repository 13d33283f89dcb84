using NUnit.Framework;
using Sealer.Guest.Inspection;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class FstabParserTests
{
    [Test]
    public void Parse_HandlesCommentsTabsEscapesAndMissingFields()
    {
        const string Text = "# comment\n"
            + "   # indented comment\n"
            + "\n"
            + "UUID=abc\t/\text4\terrors=remount-ro 0 1\n"
            + "LABEL=My\\040Data   /mnt/my\\040data\\011tab  ext4  defaults,noauto  0  2\n"
            + "/dev/vdb1 /srv\n"
            + "lonely\n"
            + "UUID=\"quoted-uuid\" /q ext4 defaults\r\n"
            + "/a /b bind bind\n"
            + "bad\\999 /x ext4\n";
        var warnings = new List<string>();
        var entries = FstabParser.Parse(Text, warnings);
        Assert.That(entries.Select(e => (e.LineNumber, e.Spec, e.MountPoint, e.Type, e.Options)), Is.EqualTo(new[]
        {
            (4, "UUID=abc", "/", "ext4", "errors=remount-ro"),
            (5, "LABEL=My Data", "/mnt/my data\ttab", "ext4", "defaults,noauto"),
            (6, "/dev/vdb1", "/srv", "auto", "defaults"),
            (8, "UUID=quoted-uuid", "/q", "ext4", "defaults"),
            (9, "/a", "/b", "bind", "bind"),
            (10, "bad\\999", "/x", "ext4", "defaults"),
        }));
        Assert.That(entries[1].NoAuto, Is.True);
        Assert.That(entries[0].NoAuto, Is.False);
        Assert.That(entries[4].IsBind, Is.True);
        Assert.That(warnings, Has.Count.EqualTo(1).And.Some.Contains("line 7"));
    }

    [TestCase("/dev/sda2", 0, 2)]
    [TestCase("/dev/vda2", 0, 2)]
    [TestCase("/dev/xvda2", 0, 2)]
    [TestCase("/dev/nvme0n1p2", 0, 2)]
    [TestCase("/dev/sdb", 1, 0)]
    [TestCase("/dev/nvme1n1", 1, 0)]
    [TestCase("/dev/sdaa1", 26, 1)]
    public void KernelNames_MapToDiskAndPartition(string device, int disk, int partition) =>
        Assert.That(FstabDeviceMatcher.KernelName(device), Is.EqualTo(((int, int)?)(disk, partition)));

    [TestCase("/dev/mapper/vg-root")]
    [TestCase("/dev/nvme0n2p1")]
    [TestCase("/dev/sda0")]
    [TestCase("rootfs")]
    public void KernelNames_RejectOtherForms(string device) => Assert.That(FstabDeviceMatcher.KernelName(device), Is.Null);

    [TestCase(0, 1, "/dev/sda1")]
    [TestCase(1, null, "/dev/sdb")]
    [TestCase(25, 3, "/dev/sdz3")]
    [TestCase(26, 2, "/dev/sdaa2")]
    [TestCase(701, 1, "/dev/sdzz1")]
    public void LinuxDeviceName_RoundTripsThroughTheMatcher(int disk, int? partition, string expected)
    {
        var name = CandidateFileSystem.LinuxDeviceName(disk, partition);
        Assert.That(name, Is.EqualTo(expected));
        Assert.That(FstabDeviceMatcher.KernelName(name), Is.EqualTo(((int, int)?)(disk, partition ?? 0)));
    }
}
