using System.Buffers.Binary;
using System.Text;
using Sealer.Core.Errors;
using Sealer.Images.Host;

namespace Sealer.Images.Qcow2;

/// <summary>One internal snapshot (qcow2.rst "Snapshot table"); only parsed and validated, never modified.</summary>
internal readonly record struct Qcow2Snapshot(string Id, string Name, long L1Offset, int L1Size)
{
    private const int FixedSize = 40;

    /// <summary>Parses the snapshot table, checking every length and offset against the file.</summary>
    public static IReadOnlyList<Qcow2Snapshot> ReadTable(IHostFile file, Qcow2Header header) => ReadTable(file, header, out _);

    /// <summary>As <see cref="ReadTable(IHostFile, Qcow2Header)"/>, also giving the table's length in bytes.</summary>
    public static IReadOnlyList<Qcow2Snapshot> ReadTable(IHostFile file, Qcow2Header header, out long tableLength)
    {
        tableLength = 0;
        if (header.SnapshotCount == 0)
        {
            return [];
        }

        var list = new List<Qcow2Snapshot>(header.SnapshotCount);
        var position = header.SnapshotsOffset;
        Span<byte> fixedPart = stackalloc byte[FixedSize];
        for (var i = 0; i < header.SnapshotCount; i++)
        {
            if (position > file.Length - FixedSize)
            {
                throw new InvalidImageException($"qcow2: snapshot table entry {i} at 0x{position:x} passes the end of the file");
            }

            file.Read(position, fixedPart);
            var l1Offset = BinaryPrimitives.ReadUInt64BigEndian(fixedPart);
            var l1Size = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[8..]);
            var idLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[12..]);
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
            var extraSize = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[36..]);
            if ((l1Offset & (ulong)(header.ClusterSize - 1)) != 0 || l1Offset > (1UL << 56))
            {
                throw new InvalidImageException($"qcow2: snapshot {i} L1 table offset 0x{l1Offset:x} is not cluster-aligned (entry at 0x{position:x})");
            }

            if ((long)l1Size * 8 > Qcow2Features.MaxL1Bytes)
            {
                throw new InvalidImageException($"qcow2: snapshot {i} l1_size {l1Size} exceeds the 32 MiB limit (entry at 0x{position:x})");
            }

            if (extraSize > Qcow2Features.MaxSnapshotExtra)
            {
                throw new InvalidImageException($"qcow2: snapshot {i} extra_data_size {extraSize} exceeds 1024 (entry at 0x{position:x})");
            }

            var variable = checked((int)extraSize + idLength + nameLength);
            var entryEnd = checked(position + FixedSize + variable);
            if (entryEnd > file.Length)
            {
                throw new InvalidImageException($"qcow2: snapshot table entry {i} at 0x{position:x} passes the end of the file");
            }

            var rest = new byte[variable];
            file.Read(position + FixedSize, rest);
            var id = Encoding.UTF8.GetString(rest, (int)extraSize, idLength);
            var name = Encoding.UTF8.GetString(rest, (int)extraSize + idLength, nameLength);
            list.Add(new Qcow2Snapshot(id, name, (long)l1Offset, (int)l1Size));
            position = (entryEnd + 7) & ~7L;
        }

        if (position - header.SnapshotsOffset > 64L << 20)
        {
            throw new InvalidImageException($"qcow2: snapshot table at 0x{header.SnapshotsOffset:x} is larger than 64 MiB");
        }

        tableLength = position - header.SnapshotsOffset;
        return list;
    }
}
