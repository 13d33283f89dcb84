using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Images.Tests.Support;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

/// <summary>
/// Builds hostile qcow2 fixtures from a real qemu-img image by patching bytes. The base image (4 KiB clusters) has
/// data, an internal snapshot, a persistent dirty bitmap with stored bitmap data, and guest cluster
/// <see cref="Target"/> mapped by a COPIED L2 entry in a COPIED L2 table (written after the snapshot). Offsets are read
/// here with a parser of its own (not Sealer's), straight from the qcow2 specification's field offsets.
/// </summary>
public sealed class HostileQcow2
{
    public const int ClusterSize = 4096;

    /// <summary>The guest offset the tests write: allocated, COPIED, in a private (COPIED) L2 table.</summary>
    public const long Target = 1 << 20;

    /// <summary>A guest cluster that was written before the snapshot and not since: its refcount is 2.</summary>
    public const long SharedWithSnapshot = 0;

    /// <summary>A second COPIED guest cluster in the same L2 table as <see cref="Target"/>.</summary>
    public const long OtherCopied = (1 << 20) + (16 << 10);

    public const ulong Copied = 1UL << 63;
    public const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00UL;

    private HostileQcow2(string path)
    {
        Path = path;
        var bytes = File.ReadAllBytes(path);
        L1Offset = (long)BE64(bytes, 0x28);
        RefTableOffset = (long)BE64(bytes, 0x30);
        SnapshotTableOffset = (long)BE64(bytes, 0x40);
        SnapshotL1Offset = (long)BE64(bytes, (int)SnapshotTableOffset);
        FirstRefBlock = (long)BE64(bytes, (int)RefTableOffset);
        L2OfTarget = (long)(BE64(bytes, (int)L1Offset) & OffsetMask);
        L2EntryOfTarget = L2EntryOffset(bytes, Target);
        SnapshotL2 = (long)(BE64(bytes, (int)SnapshotL1Offset) & OffsetMask);
        var headerLength = (int)BE32(bytes, 0x64);
        for (var at = headerLength; at + 8 <= ClusterSize;)
        {
            var type = BE32(bytes, at);
            var length = (int)BE32(bytes, at + 4);
            if (type == 0)
            {
                break;
            }

            if (type == 0x23852875)
            {
                BitmapDirectory = (long)BE64(bytes, at + 8 + 16);
                BitmapTable = (long)BE64(bytes, (int)BitmapDirectory);
                var tableSize = (int)BE32(bytes, (int)BitmapDirectory + 8);
                for (var e = 0; e < tableSize; e++)
                {
                    var data = (long)(BE64(bytes, (int)BitmapTable + (e * 8)) & OffsetMask);
                    if (data != 0)
                    {
                        BitmapData = data;
                        break;
                    }
                }
            }

            at += 8 + ((length + 7) & ~7);
        }

        Assert.That(L2OfTarget, Is.Not.Zero, "fixture: target L2 table");
        Assert.That(SnapshotL2, Is.Not.EqualTo(L2OfTarget), "fixture: the target's L2 table was copied after the snapshot");
        Assert.That(BitmapDirectory, Is.Not.Zero, "fixture: bitmap directory");
        Assert.That(BitmapData, Is.Not.Zero, "fixture: stored bitmap data cluster");
        Assert.That(BE64(bytes, (int)L2EntryOfTarget) & Copied, Is.Not.Zero, "fixture: target entry is COPIED");
    }

    public string Path { get; }

    public long L1Offset { get; }

    public long RefTableOffset { get; }

    public long FirstRefBlock { get; }

    public long L2OfTarget { get; }

    public long L2EntryOfTarget { get; }

    public long SnapshotTableOffset { get; }

    public long SnapshotL1Offset { get; }

    public long SnapshotL2 { get; }

    public long BitmapDirectory { get; }

    public long BitmapTable { get; }

    public long BitmapData { get; }

    /// <summary>Makes the base image at <paramref name="path"/> with qemu-img and qemu-io.</summary>
    public static HostileQcow2 Create(string path)
    {
        Qemu.Require();
        Qemu.Img("create", "-q", "-f", "qcow2", "-o", $"cluster_size={ClusterSize}", path, "4M");
        ExternalTool.Check("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 64k", "-c", "write -P 0x22 1M 32k", path);
        Qemu.Img("snapshot", "-c", "snap1", path);
        Qemu.Img("bitmap", "--add", path, "bm0");
        ExternalTool.Check("qemu-io", "-f", "qcow2", "-c", "write -P 0x33 1M 4k", "-c", "write -P 0x44 1040k 4k", path);
        Qemu.CheckClean(path);
        return new HostileQcow2(path);
    }

    /// <summary>The file offset of the L2 entry mapping <paramref name="guestOffset"/> in the active L1.</summary>
    public long L2EntryOffset(long guestOffset) => L2EntryOffset(File.ReadAllBytes(Path), guestOffset);

    public ulong ReadU64(long offset)
    {
        using var f = File.OpenRead(Path);
        var b = new byte[8];
        f.Position = offset;
        f.ReadExactly(b);
        return BinaryPrimitives.ReadUInt64BigEndian(b);
    }

    public void WriteU64(long offset, ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        using var f = new FileStream(Path, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(b);
    }

    public void WriteU16(long offset, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        using var f = new FileStream(Path, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(b);
    }

    /// <summary>Points the target's L2 entry at <paramref name="hostOffset"/>, keeping the COPIED flag.</summary>
    public void RedirectTarget(long hostOffset) => WriteU64(L2EntryOfTarget, (ulong)hostOffset | Copied);

    /// <summary>File offset of the 16-bit refcount entry of host cluster <paramref name="hostOffset"/> (first refcount block).</summary>
    public long RefcountEntryOffset(long hostOffset) => FirstRefBlock + ((hostOffset / ClusterSize) * 2);

    private long L2EntryOffset(byte[] bytes, long guestOffset)
    {
        var l2Entries = ClusterSize / 8;
        var cluster = guestOffset / ClusterSize;
        var l2 = (long)(BE64(bytes, (int)(L1Offset + ((cluster / l2Entries) * 8))) & OffsetMask);
        Assert.That(l2, Is.Not.Zero, $"no L2 table for guest offset 0x{guestOffset:x}");
        return l2 + ((cluster % l2Entries) * 8);
    }

    private static ulong BE64(byte[] b, int at) => BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(at));

    private static uint BE32(byte[] b, int at) => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
}
