using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Sealer.Core.Checksums;
using Sealer.Images.Host;

namespace Sealer.Images.Transactions;

/// <summary>
/// The redo log of an in-place commit, <c>&lt;image&gt;.sealer-redo</c>. Little-endian layout:
/// header (48 bytes): "SEALREDO", u32 version 1, u32 header size 48, i64 original length, i64 truncate length
/// (the smallest length the file had during the run), i64 final length, i64 record count;
/// records: i64 image offset, u32 length, u32 zero, data;
/// trailer (16 bytes): u32 CRC-32C of every byte before it, u32 zero, "SEALDONE" (commit marker).
/// A log that does not validate completely was torn before its fsync, so the image was never touched.
/// Applying: truncate to the truncate length, set the final length, write the records, fsync, delete the log.
/// Every step rewrites absolute content, so applying again after a crash gives the same image.
/// </summary>
internal sealed class RedoLog
{
    public const string Suffix = ".sealer-redo";
    public const int HeaderSize = 48;
    public const int RecordHeaderSize = 16;
    public const int TrailerSize = 16;
    public const int MaxRecordBytes = 1 << 20;
    private const uint Version = 1;

    private RedoLog(string path, long originalLength, long truncateLength, long finalLength, IReadOnlyList<Record> records)
    {
        Path = path;
        OriginalLength = originalLength;
        TruncateLength = truncateLength;
        FinalLength = finalLength;
        Records = records;
    }

    public string Path { get; }

    public long OriginalLength { get; }

    public long TruncateLength { get; }

    public long FinalLength { get; }

    public IReadOnlyList<Record> Records { get; }

    private static ReadOnlySpan<byte> Magic => "SEALREDO"u8;

    private static ReadOnlySpan<byte> CommitMarker => "SEALDONE"u8;

    public static string PathFor(string imagePath) => imagePath + Suffix;

    /// <summary>Writes the log of <paramref name="changes"/> and makes it durable (file, then directory).</summary>
    public static void Write(string logPath, RecordingHostFile changes, CommitHooks? hooks)
    {
        var records = Split(changes.DirtyRanges).ToList();
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
        Append(log, header, ref position, ref crc, hooks);

        var buffer = new byte[RecordHeaderSize + MaxRecordBytes];
        foreach (var record in records)
        {
            var length = (int)record.Length;
            BinaryPrimitives.WriteInt64LittleEndian(buffer, record.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(8), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(12), 0);
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
            if (offset < 0 || length > MaxRecordBytes || offset > finalLength - length
                || length > fileLength - TrailerSize - RecordHeaderSize - position)
            {
                return null;
            }

            records.Add(new Record(offset, length, position + RecordHeaderSize));
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

        return new RedoLog(logPath, originalLength, truncateLength, finalLength, records);
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

    private static IEnumerable<Core.IO.ByteRange> Split(IEnumerable<Core.IO.ByteRange> ranges)
    {
        foreach (var range in ranges)
        {
            for (var at = range.Offset; at < range.End; at += MaxRecordBytes)
            {
                yield return new Core.IO.ByteRange(at, Math.Min(MaxRecordBytes, range.End - at));
            }
        }
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
    internal readonly record struct Record(long Offset, uint Length, long LogOffset);
}
