using System.Globalization;
using System.Text.Json;
using NUnit.Framework;
using Sealer.Core.Checksums;
using Sealer.TestSupport;

namespace Sealer.Partitions.Tests;

[TestFixture]
[Category("Oracle")]
public sealed class SfdiskOracleTests
{
    private const string GptScript =
        "label: gpt\nsize=4M, type=L, name=\"root fs\"\nsize=2M, type=S, name=\"swap\"\nsize=1M, type=U\ntype=L, name=\"Über data\"\n";

    private const string MbrScript =
        "label: dos\nlabel-id: 0x5eed1234\nsize=4M, type=83, bootable\ntype=5\nsize=2M\nsize=2M, type=82\nsize=3M, type=8e\nsize=1M\nsize=1M\nsize=1M, type=c\n";

    private TempDirectory _dir = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        ExternalTool.Require("sfdisk");
        ExternalTool.Require("partx");
        _dir = new TempDirectory("sealer-part");
    }

    [OneTimeTearDown]
    public void TearDown() => _dir?.Dispose();

    [Test]
    public void Gpt_WithNamedPartitions_MatchesSfdisk()
    {
        var disk = SfdiskDisk.Create(_dir, "gpt.img", 32, GptScript);
        var table = PartitionTableReader.Read(disk.Device());

        Assert.That(table.Scheme, Is.EqualTo(PartitionScheme.Gpt));
        Assert.That(table.Warnings, Is.Empty);
        Assert.That(table.DiskGuid, Is.EqualTo(Guid.Parse(disk.Table!.Value.GetProperty("id").GetString()!)));
        AssertMatchesSfdisk(disk, table);
        Assert.That(table.Partitions.Select(p => p.Name), Is.EqualTo(new[] { "root fs", "swap", "", "Über data" }));
    }

    [Test]
    public void Gpt_WithCorruptPrimaryHeader_FallsBackToBackup()
    {
        var disk = SfdiskDisk.Create(_dir, "gpt-bad-primary.img", 32, GptScript);
        var bytes = disk.Device().Data;
        bytes.AsSpan(512 + 0x20, 16).Fill(0xA5);
        var table = PartitionTableReader.Read(new Core.IO.MemoryBlockDevice(bytes, writable: false));

        Assert.That(table.Scheme, Is.EqualTo(PartitionScheme.Gpt));
        Assert.That(table.Warnings, Has.Count.EqualTo(1).And.Some.Contains("backup"));
        AssertMatchesSfdisk(disk, table);
    }

    [Test]
    public void Gpt_WithCorruptPrimaryEntries_FallsBackToBackup()
    {
        var disk = SfdiskDisk.Create(_dir, "gpt-bad-entries.img", 32, GptScript);
        var bytes = disk.Device().Data;
        bytes[(2 * 512) + 40] ^= 0xFF;
        var table = PartitionTableReader.Read(new Core.IO.MemoryBlockDevice(bytes, writable: false));

        Assert.That(table.Warnings.Single(), Does.Contain("entry array CRC32"));
        AssertMatchesSfdisk(disk, table);
    }

    [Test]
    public void Gpt_WithCorruptBackup_ReadsThePrimaryAndWarns()
    {
        var disk = SfdiskDisk.Create(_dir, "gpt-bad-backup.img", 32, GptScript);
        var bytes = disk.Device().Data;
        bytes[bytes.Length - 512 + 0x30] ^= 0x01;
        var table = PartitionTableReader.Read(new Core.IO.MemoryBlockDevice(bytes, writable: false));

        Assert.That(table.Warnings.Single(), Does.Contain("backup table is unusable"));
        AssertMatchesSfdisk(disk, table);
    }

    [Test]
    public void Mbr_WithSixLogicals_MatchesSfdiskAndPartx()
    {
        var disk = SfdiskDisk.Create(_dir, "mbr.img", 32, MbrScript);
        var table = PartitionTableReader.Read(disk.Device());

        Assert.That(table.Scheme, Is.EqualTo(PartitionScheme.Mbr));
        Assert.That(table.Warnings, Is.Empty);
        Assert.That(table.MbrDiskSignature, Is.EqualTo(0x5eed1234u));
        AssertMatchesSfdisk(disk, table);
        Assert.That(table.Partitions.Select(p => p.Number), Is.EqualTo(new[] { 1, 2, 5, 6, 7, 8, 9, 10 }));
        Assert.That(table.Partitions.Select(p => p.IsExtendedContainer), Is.EqualTo(new[] { false, true, false, false, false, false, false, false }));

        // The kernel's msdos.c prints PARTUUID as "%08x-%02x": partition 10 is "-0a", not "-10".
        Assert.That(table.Partitions[^1].PartUuid, Is.EqualTo("5eed1234-0a"));
    }

    [Test]
    public void EmptyDisk_HasNoTable()
    {
        var disk = SfdiskDisk.Create(_dir, "empty.img", 8, null);
        Assert.That(disk.Table, Is.Null, "sfdisk should see no table");
        var table = PartitionTableReader.Read(disk.Device());
        Assert.That(table.Scheme, Is.EqualTo(PartitionScheme.None));
        Assert.That(table.Partitions, Is.Empty);
    }

    [Test]
    public void WholeDiskExt4_HasNoTable()
    {
        ExternalTool.Require("mke2fs");
        var path = _dir.File("whole.img");
        ExternalTool.Check("mke2fs", "-q", "-F", "-t", "ext4", path, "8M");
        var disk = SfdiskDisk.Load(path);
        Assert.That(disk.Table, Is.Null, "sfdisk should see no table");
        Assert.That(PartitionTableReader.Read(disk.Device()).Scheme, Is.EqualTo(PartitionScheme.None));
    }

    [Test]
    public void HybridMbr_ReadsAsGpt()
    {
        ExternalTool.Require("sgdisk");
        var disk = SfdiskDisk.Create(_dir, "hybrid.img", 32, GptScript);
        ExternalTool.Check("sgdisk", "-h", "1:EE", disk.Path);
        disk = SfdiskDisk.Load(disk.Path);
        var table = PartitionTableReader.Read(disk.Device());

        Assert.That(table.Scheme, Is.EqualTo(PartitionScheme.Gpt));
        AssertMatchesSfdisk(disk, table);
    }

    [Test]
    public void OpenPartition_ReadsThePartitionBytes()
    {
        var disk = SfdiskDisk.Create(_dir, "open.img", 32, GptScript);
        var device = disk.Device();
        var marker = Crc32C.Compute("partition two"u8);
        var table = PartitionTableReader.Read(device);
        var second = table.Partitions[1];
        BitConverter.GetBytes(marker).CopyTo(device.Data, second.Offset + 100);

        using var part = device.OpenPartition(second);
        var read = new byte[4];
        part.Read(100, read);
        Assert.That(part.Length, Is.EqualTo(second.Length));
        Assert.That(BitConverter.ToUInt32(read), Is.EqualTo(marker));
        Assert.That(() => part.Read(part.Length - 2, read), Throws.InstanceOf<Core.Errors.InvalidImageException>());
    }

    private static void AssertMatchesSfdisk(SfdiskDisk disk, PartitionTable table)
    {
        // partx (libblkid) prints the PARTUUID udev would give each partition, for MBR and GPT alike.
        var partUuids = ExternalTool.Check("partx", "--show", "-g", "-o", "NR,UUID", disk.Path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => f[1]);
        Assert.That(table.Partitions.ToDictionary(p => p.Number, p => p.PartUuid), Is.EquivalentTo(partUuids));
        var oracle = disk.OraclePartitions();
        Assert.That(table.Partitions, Has.Count.EqualTo(oracle.Count));
        foreach (var (expected, actual) in oracle.Zip(table.Partitions))
        {
            Assert.That(actual.Number, Is.EqualTo(disk.OracleNumber(expected)));
            Assert.That(actual.Offset, Is.EqualTo(expected.GetProperty("start").GetInt64() * 512), $"partition {actual.Number} start");
            Assert.That(actual.Length, Is.EqualTo(expected.GetProperty("size").GetInt64() * 512), $"partition {actual.Number} size");
            var type = expected.GetProperty("type").GetString()!;
            if (actual.TypeGuid is { } guid)
            {
                Assert.That(guid, Is.EqualTo(Guid.Parse(type)));
                Assert.That(actual.UniqueGuid, Is.EqualTo(Guid.Parse(expected.GetProperty("uuid").GetString()!)));
                Assert.That(actual.PartUuid, Is.EqualTo(expected.GetProperty("uuid").GetString()!.ToLowerInvariant()));
                Assert.That(actual.Name ?? string.Empty, Is.EqualTo(expected.TryGetProperty("name", out var n) ? n.GetString() : string.Empty));
            }
            else
            {
                Assert.That(actual.MbrType, Is.EqualTo(byte.Parse(type, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
    }
}
