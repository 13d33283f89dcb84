using Microsoft.Win32.SafeHandles;

namespace Sealer.Images.Host;

/// <summary>pread until the buffer is full: RandomAccess.Read may return fewer bytes than asked.</summary>
internal static class PositionalRead
{
    /// <summary>Reads into <paramref name="destination"/> from <paramref name="offset"/>; returns the bytes read,
    /// fewer than asked only at end of file (the caller decides what that means).</summary>
    public static int Fill(SafeFileHandle file, Span<byte> destination, long offset)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(file, destination[done..], offset + done);
            if (n <= 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }
}
