using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>Validation of each allocation group's headers: AGF (sector 1), AGI (sector 2) and AGFL (sector 3).</summary>
internal static class AgHeaders
{
    private const uint AgfMagic = 0x58414746; // "XAGF"
    private const uint AgiMagic = 0x58414749; // "XAGI"
    private const uint AgflMagic = 0x5841464C; // "XAFL"
    private const int AgfOffLength = 12;
    private const int AgfOffRoots = 16;
    private const int AgfOffLevels = 28;
    private const int AgfOffFlFirst = 40;
    private const int AgfOffFlLast = 44;
    private const int AgfOffFlCount = 48;
    private const int AgfOffFreeBlocks = 52;
    private const int AgfOffUuid = 64;
    private const int AgfOffRefcountRoot = 88;
    private const int AgfOffRefcountLevel = 92;
    private const int AgfOffCrc = 216;
    private const int AgiOffLength = 12;
    private const int AgiOffCount = 16;
    private const int AgiOffRoot = 20;
    private const int AgiOffLevel = 24;
    private const int AgiOffFreeCount = 28;
    private const int AgiOffUuid = 296;
    private const int AgiOffCrc = 312;
    private const int AgiOffFreeRoot = 328;
    private const int AgiOffFreeLevel = 332;
    private const int AgflOffSeqNo = 4;
    private const int AgflOffUuid = 8;
    private const int AgflOffCrc = 32;
    private const int MaxBtreeLevels = 9;

    public static void Validate(XfsVolume vol, uint agno)
    {
        var sb = vol.Sb;
        var sect = sb.SectorSize;
        var agStart = (long)agno * sb.AgBlocks * sb.BlockSize;
        var length = sb.AgLength(agno);
        var buf = new byte[sect * 3];
        vol.ReadAt(agStart + sect, buf);
        var agf = buf.AsSpan(0, sect);
        var agi = buf.AsSpan(sect, sect);
        var agfl = buf.AsSpan(sect * 2, sect);

        var where = $"AG {agno} AGF (offset 0x{agStart + sect:x})";
        Check(BinaryPrimitives.ReadUInt32BigEndian(agf) == AgfMagic, where, "bad magic");
        if (sb.HasCrc)
        {
            XfsChecksum.Verify(agf, AgfOffCrc, where);
            Check(agf.Slice(AgfOffUuid, 16).SequenceEqual(sb.MetaUuidBytes), where, "UUID does not match the superblock");
        }

        Check(BinaryPrimitives.ReadUInt32BigEndian(agf[4..]) == 1, where, "version is not 1");
        Check(BinaryPrimitives.ReadUInt32BigEndian(agf[8..]) == agno, where, "sequence number is not the AG number");
        Check(BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffLength..]) == length, where, $"length is not {length}");
        var btrees = sb.HasRoCompat(XfsFeatures.RoCompatRmapbt) ? 3 : 2;
        for (var i = 0; i < btrees; i++)
        {
            var root = BinaryPrimitives.ReadUInt32BigEndian(agf[(AgfOffRoots + (4 * i))..]);
            var level = BinaryPrimitives.ReadUInt32BigEndian(agf[(AgfOffLevels + (4 * i))..]);
            Check(root > 0 && root < length && level is >= 1 and <= MaxBtreeLevels, where, $"free-space btree {i} root {root} level {level}");
        }

        if (sb.HasRoCompat(XfsFeatures.RoCompatReflink))
        {
            var root = BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffRefcountRoot..]);
            var level = BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffRefcountLevel..]);
            Check(root > 0 && root < length && level is >= 1 and <= MaxBtreeLevels, where, $"refcount btree root {root} level {level}");
        }

        var aglfSlots = sb.HasCrc ? (sect - 36) / 4 : sect / 4;
        var flFirst = BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffFlFirst..]);
        var flLast = BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffFlLast..]);
        var flCount = BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffFlCount..]);
        Check(flFirst < aglfSlots && flLast < aglfSlots && flCount <= aglfSlots, where, $"free list first {flFirst} last {flLast} count {flCount}");
        Check(BinaryPrimitives.ReadUInt32BigEndian(agf[AgfOffFreeBlocks..]) <= length, where, "free block count exceeds the AG");

        where = $"AG {agno} AGI (offset 0x{agStart + (2 * sect):x})";
        Check(BinaryPrimitives.ReadUInt32BigEndian(agi) == AgiMagic, where, "bad magic");
        if (sb.HasCrc)
        {
            XfsChecksum.Verify(agi, AgiOffCrc, where);
            Check(agi.Slice(AgiOffUuid, 16).SequenceEqual(sb.MetaUuidBytes), where, "UUID does not match the superblock");
        }

        Check(BinaryPrimitives.ReadUInt32BigEndian(agi[4..]) == 1, where, "version is not 1");
        Check(BinaryPrimitives.ReadUInt32BigEndian(agi[8..]) == agno, where, "sequence number is not the AG number");
        Check(BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffLength..]) == length, where, $"length is not {length}");
        var count = BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffCount..]);
        Check(count <= (ulong)length * (ulong)sb.InodesPerBlock && BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffFreeCount..]) <= count,
            where, "inode counts exceed the AG");
        var iroot = BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffRoot..]);
        var ilevel = BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffLevel..]);
        Check(iroot > 0 && iroot < length && ilevel is >= 1 and <= MaxBtreeLevels, where, $"inode btree root {iroot} level {ilevel}");
        if (sb.HasRoCompat(XfsFeatures.RoCompatFinobt))
        {
            var froot = BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffFreeRoot..]);
            var flevel = BinaryPrimitives.ReadUInt32BigEndian(agi[AgiOffFreeLevel..]);
            Check(froot > 0 && froot < length && flevel is >= 1 and <= MaxBtreeLevels, where, $"free inode btree root {froot} level {flevel}");
        }

        if (sb.HasCrc)
        {
            where = $"AG {agno} AGFL (offset 0x{agStart + (3 * sect):x})";
            Check(BinaryPrimitives.ReadUInt32BigEndian(agfl) == AgflMagic, where, "bad magic");
            XfsChecksum.Verify(agfl, AgflOffCrc, where);
            Check(BinaryPrimitives.ReadUInt32BigEndian(agfl[AgflOffSeqNo..]) == agno, where, "sequence number is not the AG number");
            Check(agfl.Slice(AgflOffUuid, 16).SequenceEqual(sb.MetaUuidBytes), where, "UUID does not match the superblock");
        }
    }

    private static void Check(bool ok, string where, string what)
    {
        if (!ok)
        {
            throw new InvalidImageException($"xfs: {where}: {what}");
        }
    }
}
