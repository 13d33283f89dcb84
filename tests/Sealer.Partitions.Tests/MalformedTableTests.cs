using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.TestSupport;

namespace Sealer.Partitions.Tests;

[TestFixture]
public sealed class MalformedTableTests
{
    private byte[] _gpt = null!;
    private byte[] _mbr = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        ExternalTool.Require("sfdisk");
        using var dir = new TempDirectory("sealer-malformed");
        _gpt = SfdiskDisk.Create(dir, "gpt.img", 4, "label: gpt\nsize=1M, name=\"a\"\nsize=1M, type=S\n").Bytes;
        _mbr = SfdiskDisk.Create(dir, "mbr.img", 4, "label: dos\nsize=512K\ntype=5\nsize=256K\nsize=256K\nsize=256K\n").Bytes;
        Assert.That(Read(_gpt).Partitions, Has.Count.EqualTo(2));
        Assert.That(Read(_mbr).Partitions.Select(p => p.Number), Is.EqualTo(new[] { 1, 2, 5, 6, 7 }));
    }

    [Test]
    public void EbrLoop_StopsWithAWarning()
    {
        var disk = Copy(_mbr);
        var ebrs = EbrLbas(disk);
        Assert.That(ebrs, Has.Count.EqualTo(3));
        var extendedStart = ebrs[0];

        // The third EBR links back to the second one.
        var third = disk.AsSpan((int)(ebrs[2] * 512));
        third[0x1CE + 4] = 0x05;
        BinaryPrimitives.WriteUInt32LittleEndian(third[(0x1CE + 8)..], (uint)(ebrs[1] - extendedStart));
        BinaryPrimitives.WriteUInt32LittleEndian(third[(0x1CE + 12)..], 2);

        var table = Read(disk);
        Assert.That(table.Partitions.Select(p => p.Number), Is.EqualTo(new[] { 1, 2, 5, 6, 7 }));
        Assert.That(table.Warnings.Single(), Does.Contain("loops back"));
    }

    [Test]
    public void PrimaryEntryBeyondTheDisk_IsInvalid()
    {
        var disk = Copy(_mbr);
        BinaryPrimitives.WriteUInt32LittleEndian(disk.AsSpan(0x1BE + 12), 0xFFFFFF00);
        Assert.That(() => Read(disk), Throws.InstanceOf<InvalidImageException>().With.Message.Contains("partition 1"));
    }

    [Test]
    public void LogicalBeyondTheDisk_IsInvalid()
    {
        var disk = Copy(_mbr);
        var second = EbrLbas(disk)[1];
        BinaryPrimitives.WriteUInt32LittleEndian(disk.AsSpan((int)(second * 512) + 0x1BE + 8), 0xFFFFFF00);
        Assert.That(() => Read(disk), Throws.InstanceOf<InvalidImageException>().With.Message.Contains("logical partition 6"));
    }

    [TestCase(0x54, 0u, "entry size 0")]
    [TestCase(0x54, 100u, "entry size 100")]
    [TestCase(0x50, 0x7FFFFFFFu, "huge entry count")]
    [TestCase(0x0C, 20u, "header size 20")]
    [TestCase(0x48, 0xFFFFFFF0u, "entry array past the end")]
    public void BadHeaderField_InBothCopies_IsInvalid(int field, uint value, string what)
    {
        var disk = Copy(_gpt);
        GptRepair.EditBothHeaders(disk, header => BinaryPrimitives.WriteUInt32LittleEndian(header[field..], value));
        Assert.That(() => Read(disk), Throws.InstanceOf<InvalidImageException>().With.Message.Contains("both headers"), what);
    }

    [Test]
    public void BadCrcInBothCopies_IsInvalid()
    {
        var disk = Copy(_gpt);
        disk[512 + 0x40] ^= 1;
        disk[disk.Length - 512 + 0x40] ^= 1;
        Assert.That(() => Read(disk), Throws.InstanceOf<InvalidImageException>().With.Message.Contains("CRC32"));
    }

    [Test]
    public void GptEntryBeyondTheDisk_IsInvalid()
    {
        var disk = Copy(_gpt);
        var backupEntries = disk.Length - (33 * 512);
        foreach (var array in new[] { 2 * 512, backupEntries })
        {
            BinaryPrimitives.WriteUInt64LittleEndian(disk.AsSpan(array + 40), 1UL << 40);
        }

        GptRepair.FixCrcs(disk, 1);
        GptRepair.FixCrcs(disk, (disk.Length / 512) - 1);
        Assert.That(() => Read(disk), Throws.InstanceOf<InvalidImageException>().With.Message.Contains("partition 1"));
    }

    [Test]
    public void TinyDisks_HaveNoTableOrAreInvalid()
    {
        Assert.That(Read([]).Scheme, Is.EqualTo(PartitionScheme.None));
        Assert.That(Read(new byte[511]).Scheme, Is.EqualTo(PartitionScheme.None));
        Assert.That(() => Read(_gpt.AsSpan(0, 1024).ToArray()), Throws.InstanceOf<InvalidImageException>());
        Assert.That(() => Read(_mbr.AsSpan(0, 512).ToArray()), Throws.InstanceOf<InvalidImageException>());
    }

    [Test]
    public void RandomCorruption_GivesATableOrInvalidImage()
    {
        var random = new Random(20261125);
        var outcomes = new Dictionary<string, int>();
        foreach (var (name, original) in new[] { ("gpt", _gpt), ("mbr", _mbr) })
        {
            var regions = name == "gpt"
                ? new[] { (Start: 0, Length: 34 * 512), (Start: original.Length - (33 * 512), Length: 33 * 512) }
                : EbrLbas(original).Prepend(0).Select(lba => (Start: (int)lba * 512, Length: 512)).ToArray();
            var disk = Copy(original);
            for (var i = 0; i < 1500; i++)
            {
                var flips = random.Next(1, 6);
                for (var f = 0; f < flips; f++)
                {
                    var region = regions[random.Next(regions.Length)];

                    // Mostly hit the structured bytes (table entries, header fields) rather than boot code.
                    var at = name == "mbr" && random.Next(4) != 0
                        ? region.Start + 0x1BE + random.Next(66)
                        : region.Start + random.Next(Math.Min(region.Length, random.Next(2) == 0 ? 700 : region.Length));
                    disk[at] = random.Next(3) == 0 ? (byte)0xFF : (byte)random.Next(256);
                }

                if (name == "gpt" && random.Next(2) == 0)
                {
                    GptRepair.FixCrcs(disk, 1);
                    GptRepair.FixCrcs(disk, (disk.Length / 512) - 1);
                }

                var outcome = Classify(disk);
                outcomes[$"{name} {outcome}"] = outcomes.GetValueOrDefault($"{name} {outcome}") + 1;
                foreach (var (start, length) in regions)
                {
                    original.AsSpan(start, length).CopyTo(disk.AsSpan(start));
                }
            }
        }

        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));
        Assert.That(outcomes.Keys, Has.Some.Contains("invalid"));
        Assert.That(outcomes.Keys, Has.Some.Contains("table"));
    }

    private static string Classify(byte[] disk)
    {
        try
        {
            var device = new MemoryBlockDevice(disk, writable: false);
            var table = PartitionTableReader.Read(device);
            foreach (var partition in table.Partitions)
            {
                Assert.That(partition.Offset, Is.GreaterThan(0));
                Assert.That(partition.Offset + partition.Length, Is.LessThanOrEqualTo(disk.Length));
                using var opened = device.OpenPartition(partition);
            }

            return table.Warnings.Count > 0 ? "table with warnings" : "table";
        }
        catch (InvalidImageException)
        {
            return "invalid";
        }
    }

    private static PartitionTable Read(byte[] disk) => PartitionTableReader.Read(new MemoryBlockDevice(disk, writable: false));

    private static byte[] Copy(byte[] disk) => (byte[])disk.Clone();

    /// <summary>EBR locations of an sfdisk-made MBR disk whose second primary is the extended partition.</summary>
    private static List<long> EbrLbas(byte[] disk)
    {
        var extendedStart = BinaryPrimitives.ReadUInt32LittleEndian(disk.AsSpan(0x1CE + 8));
        var result = new List<long>();
        long ebr = extendedStart;
        while (result.Count < 10)
        {
            result.Add(ebr);
            var link = BinaryPrimitives.ReadUInt32LittleEndian(disk.AsSpan((int)(ebr * 512) + 0x1CE + 8));
            if (link == 0)
            {
                break;
            }

            ebr = extendedStart + link;
        }

        return result;
    }
}
