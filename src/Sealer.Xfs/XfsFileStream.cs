namespace Sealer.Xfs;

/// <summary>A read-only, seekable stream over a file's extents; holes and unwritten extents read as zeros.
/// Reads go to the device extent by extent; the map is captured at open time.</summary>
internal sealed class XfsFileStream(XfsVolume vol, ExtentMap map, long length) : Stream
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
        var bs = vol.BlockSize;
        while (done < total)
        {
            var pos = _position + done;
            var logical = pos / bs;
            var inBlock = (int)(pos % bs);
            var index = map.Find(logical);
            int chunk;
            if (index >= 0 && !map.Extents[index].Unwritten)
            {
                var e = map.Extents[index];
                var available = ((e.End - logical) * bs) - inBlock;
                chunk = (int)Math.Min(total - done, available);
                var physical = vol.Sb.FsBlockToOffset(e.Physical + (logical - e.Logical)) + inBlock;
                vol.ReadAt(physical, buffer.Slice(done, chunk));
            }
            else
            {
                long holeEnd;
                if (index >= 0)
                {
                    holeEnd = map.Extents[index].End;
                }
                else
                {
                    var next = ~index;
                    holeEnd = next < map.Extents.Count ? map.Extents[next].Logical : long.MaxValue / bs;
                }

                chunk = (int)Math.Min(total - done, ((holeEnd - logical) * bs) - inBlock);
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
