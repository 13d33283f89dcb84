using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Fuzz.Support;

/// <summary>
/// A read-only device over a fuzz input that reads as zeros past the input's end, up to <see cref="Length"/>. Lets a
/// fuzz input be an image with its trailing zeros cut: the format's own size (ext4 blocks count, GPT backup LBA) gives
/// the device length without allocating it.
/// </summary>
public sealed class ZeroExtendedDevice(byte[] data, long length) : IBlockDevice
{
    public long Length { get; } = Math.Max(length, data.Length);

    public int SectorSize => 512;

    public bool CanWrite => false;

    public void Read(long offset, Span<byte> destination)
    {
        BlockDeviceGuard.CheckRange("fuzz input", offset, destination.Length, Length);
        var inData = offset >= data.Length ? 0 : (int)Math.Min(destination.Length, data.Length - offset);
        data.AsSpan((int)Math.Min(offset, data.Length), inData).CopyTo(destination);
        destination[inData..].Clear();
    }

    public void Write(long offset, ReadOnlySpan<byte> source) =>
        throw new GuestFileSystemException(FsError.ReadOnly, "fuzz input", "device is read-only");

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
