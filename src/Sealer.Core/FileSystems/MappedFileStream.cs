namespace Sealer.Core.FileSystems;

/// <summary>How a file's logical blocks lie on its device, as a file-system driver knows it.</summary>
public interface IFileBlockMap
{
    /// <summary>The file system's block size in bytes.</summary>
    int BlockSize { get; }

    /// <summary>
    /// Where logical block <paramref name="logical"/> is: the byte offset of that block on the device, or -1 for a hole
    /// or an unwritten run (which read as zeros); and the first logical block after the run that holds it.
    /// </summary>
    (long DeviceOffset, long RunEnd) Locate(long logical);

    /// <summary>Reads device bytes at <paramref name="offset"/> (already checked by the driver to lie inside the file system).</summary>
    void Read(long offset, Span<byte> destination);
}

/// <summary>
/// A read-only, seekable stream over a file's block map: reads go to the device run by run, holes and unwritten runs
/// read as zeros. Shared by the file-system drivers so each only says where its blocks are.
/// </summary>
public sealed class MappedFileStream(IFileBlockMap map, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Clamp(length - _position, 0, buffer.Length);
        var done = 0;
        var blockSize = map.BlockSize;
        while (done < total)
        {
            var position = _position + done;
            var logical = position / blockSize;
            var inBlock = (int)(position % blockSize);
            var (deviceOffset, runEnd) = map.Locate(logical);
            var chunk = (int)Math.Min(total - done, ((runEnd - logical) * blockSize) - inBlock);
            if (deviceOffset >= 0)
            {
                map.Read(deviceOffset + inBlock, buffer.Slice(done, chunk));
            }
            else
            {
                buffer.Slice(done, chunk).Clear();
            }

            done += chunk;
        }

        _position += done;
        return done;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
