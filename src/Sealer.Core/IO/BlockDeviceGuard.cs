using Sealer.Core.Errors;

namespace Sealer.Core.IO;

/// <summary>Range checks shared by device implementations.</summary>
public static class BlockDeviceGuard
{
    /// <summary>Throws <see cref="InvalidImageException"/> unless [offset, offset + count) lies inside [0, length).</summary>
    public static void CheckRange(string device, long offset, long count, long length)
    {
        if (offset < 0 || count < 0 || offset > length || count > length - offset)
        {
            throw new InvalidImageException(
                $"{device}: access of {count} bytes at offset 0x{offset:x} is outside the device (length 0x{length:x})");
        }
    }
}
