using Sealer.Core.IO;
using Sealer.Fuzz.Support;
using Sealer.Images.Opening;
using Sealer.Partitions;

namespace Sealer.Fuzz.Targets;

/// <summary>Targets over the image layer (qcow2) and the partition tables.</summary>
public static class ImageTargets
{
    private const int ReadChunk = 64 << 10;
    private const int MaxAllocatedRanges = 256;

    /// <summary>qcow2 header, extensions, snapshot table, L1 open; then reads: the start of the disk, the first bytes of
    /// each allocated range (L2 walk, compressed clusters, backing-less holes) and a few spread offsets.</summary>
    public static void Qcow2Read(ReadOnlySpan<byte> input)
    {
        var file = new SparseHostFile(input.ToArray());
        using var image = ImageOpener.Open(file, new ImageOpenOptions { Format = "qcow2" });
        var device = image.Device;
        var buffer = new byte[ReadChunk];
        ReadAt(device, 0, buffer);
        if (device is IAllocationMap map)
        {
            foreach (var range in map.GetAllocatedRanges().Take(MaxAllocatedRanges))
            {
                ReadAt(device, range.Offset, buffer);
            }
        }

        for (var i = 1; i <= 8; i++)
        {
            ReadAt(device, device.Length / 9 * i, buffer);
        }

        ReadAt(device, Math.Max(0, device.Length - 4096), buffer);
    }

    /// <summary>The in-place write path of qcow2: open writable, write three patterns (one cluster-aligned, one across a
    /// cluster boundary, one at the last sector), flush; each must read back, and the image must open again afterwards
    /// with the same content.</summary>
    public static void Qcow2Write(ReadOnlySpan<byte> input)
    {
        var file = new SparseHostFile(input.ToArray());
        var writes = new List<(long Offset, byte[] Data)>();
        using (var image = ImageOpener.Open(file, new ImageOpenOptions { Format = "qcow2", Writable = true }))
        {
            var device = image.Device;
            foreach (var (offset, length, fill) in new (long, int, byte)[]
                { (0, 4096, 0xA1), (65536 - 1024, 6144, 0xB2), (device.Length - 512, 512, 0xC3), (device.Length / 2 & ~511L, 1536, 0xD4) })
            {
                if (offset < 0 || offset + length > device.Length)
                {
                    continue;
                }

                var data = Pattern(length, fill);
                device.Write(offset, data);
                writes.Add((offset, data));
            }

            device.Flush();
            Verify(device, writes, "after the write");
        }

        using var reopened = ImageOpener.Open(file, new ImageOpenOptions { Format = "qcow2" });
        Verify(reopened.Device, writes, "after reopening");
    }

    /// <summary>MBR (with the EBR chain of logicals) or GPT (primary, backup, entries); each partition is opened as a
    /// device, its first and last sector read and probed for ext4, as the CLI's detection does.</summary>
    public static void Partitions(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        using var disk = new ZeroExtendedDevice(bytes, DeclaredLength.Disk(bytes));
        var table = PartitionTableReader.Read(disk);
        var sector = new byte[512];
        foreach (var partition in table.Partitions)
        {
            if (partition.Offset < 0 || partition.Length < 0 || partition.Offset > disk.Length - partition.Length)
            {
                throw new ContractViolationException(
                    $"partition {partition.Number} at 0x{partition.Offset:x} (+0x{partition.Length:x}) lies outside the disk of 0x{disk.Length:x} bytes");
            }

            if (partition.IsExtendedContainer)
            {
                continue;
            }

            using var device = disk.OpenPartition(partition);
            if (device.Length >= sector.Length)
            {
                device.Read(0, sector);
                device.Read(device.Length - sector.Length, sector);
            }

            _ = Ext4.Ext4FileSystem.Probe(device);
        }

        if (table.Partitions.Select(p => p.Number).Distinct().Count() != table.Partitions.Count)
        {
            throw new ContractViolationException("two partitions have the same number");
        }
    }

    private static void ReadAt(IBlockDevice device, long offset, byte[] buffer)
    {
        var length = (int)Math.Min(buffer.Length, device.Length - offset);
        if (length > 0)
        {
            device.Read(offset, buffer.AsSpan(0, length));
        }
    }

    private static byte[] Pattern(int length, byte fill)
    {
        var data = new byte[length];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(fill ^ (i >> 9));
        }

        return data;
    }

    private static void Verify(IBlockDevice device, List<(long Offset, byte[] Data)> writes, string when)
    {
        // Later writes may overlap earlier ones (tiny disks): check each byte against the last write that covered it.
        for (var w = 0; w < writes.Count; w++)
        {
            var (offset, data) = writes[w];
            var actual = new byte[data.Length];
            device.Read(offset, actual);
            for (var i = 0; i < data.Length; i++)
            {
                var expected = data[i];
                for (var later = w + 1; later < writes.Count; later++)
                {
                    var at = offset + i - writes[later].Offset;
                    if (at >= 0 && at < writes[later].Data.Length)
                    {
                        expected = writes[later].Data[at];
                    }
                }

                if (actual[i] != expected)
                {
                    throw new ContractViolationException(
                        $"qcow2: guest byte 0x{offset + i:x} reads 0x{actual[i]:x2} {when}, 0x{expected:x2} was written");
                }
            }
        }
    }
}
