namespace Sealer.Core.IO;

/// <summary>
/// A fixed-length device with positional I/O. There is no shared stream position, so one device can be used from
/// several places at once. Reads or writes that reach past <see cref="Length"/> throw
/// <see cref="Errors.InvalidImageException"/>; they are never silently zero-filled.
/// </summary>
public interface IBlockDevice : IDisposable
{
    /// <summary>Size in bytes.</summary>
    long Length { get; }

    /// <summary>Logical sector size (512 for disk images).</summary>
    int SectorSize { get; }

    bool CanWrite { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; throws when the range passes the end.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/> at <paramref name="offset"/>; throws when read-only or the range passes the end.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>Makes every write so far durable in the layer below.</summary>
    void Flush();
}
