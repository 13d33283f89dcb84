using System.Buffers.Binary;
using System.Text;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.Guest.Inspection;

namespace Sealer.Cli.Tests;

/// <summary>The signature prober reads untrusted bytes: every offset it follows (LVM's pv_header, metadata area and
/// text) is checked, so damaged or hostile headers give "no volume group" or nothing, never an exception.</summary>
[TestFixture]
public sealed class StorageProberTests
{
    [Test]
    public void HostileLvmHeaders_NeverThrow_AndNeverReadOutsideTheDevice()
    {
        var random = new Random(20261201);
        for (var round = 0; round < 2000; round++)
        {
            var length = random.Next(1, 4) switch { 1 => random.Next(0, 2048), 2 => random.Next(2048, 16384), _ => 70 * 1024 };
            var data = new byte[length];
            random.NextBytes(data);
            var label = random.Next(0, 4) * 512;
            if (label + 32 <= length)
            {
                Encoding.ASCII.GetBytes("LABELONE").CopyTo(data, label);
                BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(label + 8), (ulong)(label / 512));
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(label + 20), random.Next(3) == 0 ? (uint)random.Next() : (uint)random.Next(0, 600));
                Encoding.ASCII.GetBytes("LVM2 001").CopyTo(data, label + 24);
            }

            if (length > 4096 + 64 && random.Next(2) == 0)
            {
                Encoding.ASCII.GetBytes(" LVM2 x[5A%r0N*>").CopyTo(data, 4096 + 4);
            }

            using var device = new MemoryBlockDevice(data, writable: false);
            Assert.DoesNotThrow(() => StorageProber.Probe(device), $"round {round}");
        }
    }

    [Test]
    public void LvmLabel_WithTheVolumeGroupInItsMetadata_IsNamed()
    {
        var data = new byte[64 * 1024];
        const int Label = 512; // sector 1, where pvcreate puts it
        Encoding.ASCII.GetBytes("LABELONE").CopyTo(data, Label);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Label + 8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(Label + 20), 32);
        Encoding.ASCII.GetBytes("LVM2 001").CopyTo(data, Label + 24);
        var pvHeader = Label + 32;
        Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyz012345").CopyTo(data, pvHeader);
        var areas = pvHeader + 32 + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(areas), 1 << 20); // one data area
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(areas + 16), 0); // end of data areas
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(areas + 32), 4096); // metadata area at 4 KiB
        const int Mda = 4096;
        Encoding.ASCII.GetBytes(" LVM2 x[5A%r0N*>").CopyTo(data, Mda + 4);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Mda + 32), 32 * 1024); // mda size
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Mda + 40), 512); // text offset in the area
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Mda + 48), 100); // text size
        Encoding.ASCII.GetBytes("vg_root.01 {\nid = \"x\"\n").CopyTo(data, Mda + 512);

        using var device = new MemoryBlockDevice(data, writable: false);
        var signature = StorageProber.Probe(device);

        Assert.That(signature, Is.Not.Null);
        Assert.That(signature!.Type, Is.EqualTo("LVM2_member"));
        Assert.That(signature.Description, Is.EqualTo("LVM2 physical volume (volume group vg_root.01)"));
        Assert.That(signature.Uuid, Is.EqualTo("abcdef-ghij-klmn-opqr-stuv-wxyz-012345"));

        // The text offset pointing past the device is not followed.
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(Mda + 40), ulong.MaxValue - 10);
        Assert.That(StorageProber.Probe(device)!.Description, Is.EqualTo("LVM2 physical volume (no volume group metadata found)"));
    }

    [Test]
    public void ZeroedOrTinyDevices_HaveNoSignature()
    {
        using var empty = new MemoryBlockDevice(0);
        using var zeros = new MemoryBlockDevice(1 << 20);
        Assert.That(StorageProber.Probe(empty), Is.Null);
        Assert.That(StorageProber.Probe(zeros), Is.Null);
    }
}
