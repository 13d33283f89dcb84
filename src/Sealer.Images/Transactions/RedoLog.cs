using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Sealer.Core.Checksums;
using Sealer.Images.Host;

namespace Sealer.Images.Transactions;

/// <summary>
/// The redo log of an in-place commit, <c>&lt;image&gt;.sealer-redo</c>. Little-endian layout:
/// header (80 bytes): "SEALREDO", u32 version 2, u32 header size 80, i64 original length, i64 truncate length
/// (the smallest length the file had during the run), i64 final length, i64 record count, then the image's identity
/// before the commit: u64 st_dev, u64 st_ino, i64 st_mtime (ns), u64 zero;
/// records: i64 image offset, u32 length, u32 CRC-32C of the region's before-image (the original bytes of the part
/// below the original length), data (the after-image). Records never straddle the truncate or the original length.
/// trailer (16 bytes): u32 CRC-32C of every byte before it, u32 zero, "SEALDONE" (commit marker).
/// A log that does not validate completely was torn before its fsync, so the image was never touched.
/// Applying: truncate to the truncate length, set the final length, write the records, fsync, delete the log.
/// Every step rewrites absolute content, so applying again after a crash gives the same image.
/// Before applying, <see cref="Verify"/> proves the log belongs to the image as it is now (same file, a length the
/// commit explains, every region holding its before- or its after-image, and an unchanged mtime when nothing was
/// applied yet), so a stale or planted log is never replayed over newer data.
/// </summary>
internal sealed class RedoLog
{
    public const string Suffix = ".sealer-redo";
    public const int HeaderSize = 80;
    public const int RecordHeaderSize = 16;
    public const int TrailerSize = 16;
    public const int MaxRecordBytes = 1 << 20;
    private const uint Version = 2;

    private RedoLog(string path, long originalLength, long truncateLength, long finalLength, HostFileIdentity image, IReadOnlyList<Record> records)
    {
        Path = path;
        OriginalLength = originalLength;
        TruncateLength = truncateLength;
        FinalLength = finalLength;
        Image = image;
        Records = records;
    }

    public string Path { get; }

    public long OriginalLength { get; }

    public long TruncateLength { get; }

    public long FinalLength { get; }

    public IReadOnlyList<Record> Records { get; }

    /// <summary>Device, inode and mtime of the image before the commit (Kind and Size are not stored).</summary>
    public HostFileIdentity Image { get; }

    private static ReadOnlySpan<byte> Magic => "SEALREDO"u8;

    private static ReadOnlySpan<byte> CommitMarker => "SEALDONE"u8;

    public static string PathFor(string imagePath) => imagePath + Suffix;

    /// <summary>Writes the log of <paramref name="changes"/> and makes it durable (file, then directory).</summary>
    public static void Write(string logPath, RecordingHostFile changes, SafeFileHandle image, HostFileIdentity identity, CommitHooks? hooks)
    {
        var records = Split(changes.DirtyRanges, changes.LowestLength, changes.OriginalLength).ToList();
        using var log = File.OpenHandle(logPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        var crc = 0xFFFFFFFFu;
        long position = 0;

        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), changes.OriginalLength);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), changes.LowestLength);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(32), changes.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), records.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48), identity.Device);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), identity.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64), identity.ModifiedNanoseconds);
        Append(log, header, ref position, ref crc, hooks);

        var buffer = new byte[RecordHeaderSize + MaxRecordBytes];
        foreach (var record in records)
        {
            var length = (int)record.Length;
            BinaryPrimitives.WriteInt64LittleEndian(buffer, record.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(12), BeforeImageCrc(image, record.Offset, length, changes.OriginalLength, buffer.AsSpan(RecordHeaderSize, length)));
            changes.Read(record.Offset, buffer.AsSpan(RecordHeaderSize, length));
            Append(log, buffer.AsSpan(0, RecordHeaderSize + length), ref position, ref crc, hooks);
        }

        var trailer = new byte[TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, ~crc);
        CommitMarker.CopyTo(trailer.AsSpan(8));
        hooks.Step(CommitStep.LogWrite);
        RandomAccess.Write(log, trailer, position);

        hooks.Step(CommitStep.LogFlush);
        RandomAccess.FlushToDisk(log);
        hooks.Step(CommitStep.LogDirectoryFlush);
        HostFileSystem.FlushDirectoryOf(logPath);
    }

    /// <summary>Reads and fully validates a log; null when it is torn or corrupt (it must then be discarded).</summary>
    public static RedoLog? TryRead(string logPath)
    {
        using var log = File.OpenHandle(logPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var fileLength = RandomAccess.GetLength(log);
        if (fileLength < HeaderSize + TrailerSize)
        {
            return null;
        }

        var header = new byte[HeaderSize];
        ReadExactly(log, header, 0);
        var originalLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        var truncateLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
        var finalLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(32));
        var count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(40));
        var identity = new HostFileIdentity(
            Core.FileSystems.FileKind.Regular,
            BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(48)),
            BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(56)),
            originalLength,
            BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(64)));
        if (!header.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12)) != HeaderSize
            || originalLength < 0 || truncateLength < 0 || finalLength < 0
            || truncateLength > originalLength || truncateLength > finalLength
            || count < 0 || count > fileLength / RecordHeaderSize)
        {
            return null;
        }

        var records = new List<Record>((int)Math.Min(count, 4096));
        var recordHeader = new byte[RecordHeaderSize];
        long position = HeaderSize;
        for (long i = 0; i < count; i++)
        {
            if (position > fileLength - TrailerSize - RecordHeaderSize)
            {
                return null;
            }

            ReadExactly(log, recordHeader, position);
            var offset = BinaryPrimitives.ReadInt64LittleEndian(recordHeader);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader.AsSpan(8));
            var beforeCrc = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader.AsSpan(12));
            if (offset < 0 || length > MaxRecordBytes || offset > finalLength - length
                || length > fileLength - TrailerSize - RecordHeaderSize - position)
            {
                return null;
            }

            records.Add(new Record(offset, length, beforeCrc, position + RecordHeaderSize));
            position += RecordHeaderSize + length;
        }

        if (position != fileLength - TrailerSize)
        {
            return null;
        }

        var trailer = new byte[TrailerSize];
        ReadExactly(log, trailer, position);
        if (!trailer.AsSpan(8).SequenceEqual(CommitMarker)
            || BinaryPrimitives.ReadUInt32LittleEndian(trailer) != ComputeCrc(log, position))
        {
            return null;
        }

        return new RedoLog(logPath, originalLength, truncateLength, finalLength, identity, records);
    }

    /// <summary>The version field of a file that starts with the log magic (0 when it does not, or is too short).</summary>
    public static uint PeekVersion(string logPath)
    {
        using var log = File.OpenHandle(logPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        var start = new byte[12];
        if (PositionalRead.Fill(log, start, 0) < start.Length || !start.AsSpan(0, 8).SequenceEqual(Magic))
        {
            return 0;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(8));
    }

    /// <summary>
    /// Proves that this log belongs to <paramref name="image"/> as it is now; returns why not, or null when applying it
    /// is safe. Safe means: the same file (st_dev, st_ino); a length the commit explains (before, truncated, final); every
    /// region holding its before-image or its after-image (a half-done apply); and, when nothing of the apply is visible
    /// yet, an unchanged mtime (otherwise something else wrote the image after the interrupted seal).
    /// </summary>
    public string? Verify(SafeFileHandle image, HostFileIdentity now)
    {
        if (now.Device != Image.Device || now.Inode != Image.Inode)
        {
            return $"it was written for another file (device {Image.Device >> 32}:{Image.Device & 0xFFFFFFFF}, inode {Image.Inode}; "
                + $"the image is device {now.Device >> 32}:{now.Device & 0xFFFFFFFF}, inode {now.Inode})";
        }

        var length = now.Size;
        if (length != OriginalLength && length != TruncateLength && length != FinalLength)
        {
            return $"the image is {length} bytes long, neither its length before the seal ({OriginalLength}) nor one the seal gives it ({TruncateLength} or {FinalLength})";
        }

        // Any visible step of the apply: a changed length, a zeroed or cut region, a region already holding its after-image.
        var progressed = length != OriginalLength;
        var current = new byte[MaxRecordBytes];
        var logged = new byte[MaxRecordBytes];
        using var log = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        foreach (var record in Records)
        {
            var size = (int)record.Length;
            var end = record.Offset + size;
            if (end <= length)
            {
                ReadExactly(image, current.AsSpan(0, size), record.Offset);
                ReadExactly(log, logged.AsSpan(0, size), record.LogOffset);
                if (current.AsSpan(0, size).SequenceEqual(logged.AsSpan(0, size)))
                {
                    progressed = true;
                    continue;
                }
            }

            if (HoldsBeforeImage(record, length, current.AsSpan(0, size), ref progressed))
            {
                continue;
            }

            return $"region at offset {record.Offset} ({size} bytes) holds neither its before-image nor its after-image";
        }

        if (!progressed && now.ModifiedNanoseconds != Image.ModifiedNanoseconds)
        {
            return "the image was modified after the interrupted seal (its mtime changed) although none of the seal's writes had reached it";
        }

        return null;
    }

    /// <summary>Whether a region not holding its after-image holds what it held before the apply: the original bytes
    /// (checked by CRC-32C), or, where the apply's truncation or extension has already happened, nothing or zeros.</summary>
    private bool HoldsBeforeImage(Record record, long length, ReadOnlySpan<byte> current, ref bool progressed)
    {
        var end = record.Offset + record.Length;
        if (end <= TruncateLength || (record.Offset >= TruncateLength && end <= OriginalLength && length == OriginalLength))
        {
            // Bytes that existed before the commit and are still there (no truncation cut them yet).
            if (end <= length && Crc32C.Compute(current) == record.BeforeCrc)
            {
                return true;
            }

            if (end <= TruncateLength)
            {
                return false;
            }
        }

        if (record.Offset >= length)
        {
            // Cut by the truncation, or beyond the original end and not yet extended.
            progressed |= record.Offset < OriginalLength;
            return true;
        }

        if (end <= length && record.Offset >= TruncateLength && current.IndexOfAnyExcept((byte)0) < 0
            && (record.Offset >= OriginalLength || TruncateLength < OriginalLength))
        {
            // Zeros from the apply's truncate-then-extend (or the extension past the original end).
            progressed = true;
            return true;
        }

        return false;
    }

    /// <summary>Brings the image to the logged state, makes it durable, then deletes the log (and makes that durable).</summary>
    public void Apply(SafeFileHandle image, CommitHooks? hooks)
    {
        if (RandomAccess.GetLength(image) > TruncateLength)
        {
            hooks.Step(CommitStep.ImageTruncate);
            RandomAccess.SetLength(image, TruncateLength);
        }

        if (FinalLength != TruncateLength)
        {
            hooks.Step(CommitStep.ImageSetLength);
            RandomAccess.SetLength(image, FinalLength);
        }

        using (var log = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var buffer = new byte[MaxRecordBytes];
            foreach (var record in Records)
            {
                var data = buffer.AsSpan(0, (int)record.Length);
                ReadExactly(log, data, record.LogOffset);
                hooks.Step(CommitStep.ImageWrite);
                RandomAccess.Write(image, data, record.Offset);
            }
        }

        hooks.Step(CommitStep.ImageFlush);
        RandomAccess.FlushToDisk(image);
        Delete(Path, hooks);
    }

    /// <summary>Removes a log and makes the removal durable.</summary>
    public static void Delete(string logPath, CommitHooks? hooks)
    {
        hooks.Step(CommitStep.LogDelete);
        File.Delete(logPath);
        hooks.Step(CommitStep.DirectoryFlush);
        HostFileSystem.FlushDirectoryOf(logPath);
    }

    /// <summary>Records of at most 1 MiB that never straddle the truncate length or the original length, so each one
    /// lies wholly in one zone (always there / cut by the truncation / beyond the original end).</summary>
    private static IEnumerable<Core.IO.ByteRange> Split(IEnumerable<Core.IO.ByteRange> ranges, long truncateLength, long originalLength)
    {
        foreach (var range in ranges)
        {
            for (var at = range.Offset; at < range.End;)
            {
                var end = Math.Min(range.End, at + MaxRecordBytes);
                foreach (var boundary in (ReadOnlySpan<long>)[truncateLength, originalLength])
                {
                    if (at < boundary && boundary < end)
                    {
                        end = boundary;
                    }
                }

                yield return new Core.IO.ByteRange(at, end - at);
                at = end;
            }
        }
    }

    /// <summary>CRC-32C of the original bytes of [offset, offset + length) below the original length.</summary>
    private static uint BeforeImageCrc(SafeFileHandle image, long offset, int length, long originalLength, Span<byte> scratch)
    {
        var present = (int)Math.Clamp(originalLength - offset, 0, length);
        ReadExactly(image, scratch[..present], offset);
        return Crc32C.Compute(scratch[..present]);
    }

    private static void Append(SafeFileHandle log, ReadOnlySpan<byte> bytes, ref long position, ref uint crc, CommitHooks? hooks)
    {
        hooks.Step(CommitStep.LogWrite);
        RandomAccess.Write(log, bytes, position);
        crc = Crc32C.Update(crc, bytes);
        position += bytes.Length;
    }

    private static uint ComputeCrc(SafeFileHandle log, long length)
    {
        var buffer = new byte[MaxRecordBytes];
        var crc = 0xFFFFFFFFu;
        for (long at = 0; at < length; at += buffer.Length)
        {
            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at));
            ReadExactly(log, chunk, at);
            crc = Crc32C.Update(crc, chunk);
        }

        return ~crc;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        var done = PositionalRead.Fill(file, destination, offset);
        if (done < destination.Length)
        {
            throw new EndOfStreamException($"redo log ends early at offset 0x{offset + done:x}");
        }
    }

    /// <summary>One logged write: <paramref name="Length"/> bytes for image offset <paramref name="Offset"/>, stored at <paramref name="LogOffset"/>.</summary>
    internal readonly record struct Record(long Offset, uint Length, uint BeforeCrc, long LogOffset);
}
