using Sealer.Core.IO;

namespace Sealer.Images.Transactions;

/// <summary>Supplies bytes that no dirty page covers (the layer below an overlay).</summary>
internal delegate void UnderlyingRead(long offset, Span<byte> destination);

/// <summary>
/// Overwritten 4 KiB pages held in memory, keyed by page index. Shared by the block-device overlay and the
/// recording host file. A partial-page write first fills the page from the layer below, so a page is always whole.
/// </summary>
internal sealed class DirtyPageMap
{
    public const int PageSize = 4096;

    private readonly Dictionary<long, byte[]> _pages = [];

    public int Count => _pages.Count;

    public void Clear() => _pages.Clear();

    /// <summary>Reads [offset, offset + destination.Length): dirty pages from memory, runs of clean pages from <paramref name="below"/>.</summary>
    public void Read(long offset, Span<byte> destination, UnderlyingRead below)
    {
        var done = 0;
        var cleanStart = -1;
        while (done < destination.Length)
        {
            var position = offset + done;
            var inPage = (int)(position % PageSize);
            var chunk = Math.Min(PageSize - inPage, destination.Length - done);
            if (_pages.TryGetValue(position / PageSize, out var page))
            {
                if (cleanStart >= 0)
                {
                    below(offset + cleanStart, destination[cleanStart..done]);
                    cleanStart = -1;
                }

                page.AsSpan(inPage, chunk).CopyTo(destination[done..]);
            }
            else if (cleanStart < 0)
            {
                cleanStart = done;
            }

            done += chunk;
        }

        if (cleanStart >= 0)
        {
            below(offset + cleanStart, destination[cleanStart..]);
        }
    }

    /// <summary>Writes into pages, creating each missing page from <paramref name="fillPage"/> (page start, page buffer).</summary>
    public void Write(long offset, ReadOnlySpan<byte> source, UnderlyingRead fillPage)
    {
        var done = 0;
        while (done < source.Length)
        {
            var position = offset + done;
            var index = position / PageSize;
            var inPage = (int)(position % PageSize);
            var chunk = Math.Min(PageSize - inPage, source.Length - done);
            if (!_pages.TryGetValue(index, out var page))
            {
                page = new byte[PageSize];
                if (chunk < PageSize)
                {
                    fillPage(index * PageSize, page);
                }

                _pages.Add(index, page);
            }

            source.Slice(done, chunk).CopyTo(page.AsSpan(inPage));
            done += chunk;
        }
    }

    /// <summary>Forgets pages at or past <paramref name="length"/> and zeroes the tail of the page that straddles it.</summary>
    public void Truncate(long length)
    {
        foreach (var index in _pages.Keys.Where(i => i * PageSize >= length).ToList())
        {
            _pages.Remove(index);
        }

        if (length % PageSize != 0 && _pages.TryGetValue(length / PageSize, out var straddling))
        {
            straddling.AsSpan((int)(length % PageSize)).Clear();
        }
    }

    /// <summary>Dirty pages as merged ascending ranges, clipped to <paramref name="length"/>.</summary>
    public IReadOnlyList<ByteRange> Ranges(long length)
    {
        var ranges = new List<ByteRange>();
        foreach (var index in _pages.Keys.Order())
        {
            var start = index * PageSize;
            var end = Math.Min(start + PageSize, length);
            if (end <= start)
            {
                continue;
            }

            if (ranges.Count > 0 && ranges[^1].End == start)
            {
                ranges[^1] = ranges[^1] with { Length = end - ranges[^1].Offset };
            }
            else
            {
                ranges.Add(new ByteRange(start, end - start));
            }
        }

        return ranges;
    }
}
