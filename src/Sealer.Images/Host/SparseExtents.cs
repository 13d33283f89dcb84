using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sealer.Core.IO;

namespace Sealer.Images.Host;

/// <summary>Lists the data extents of a file with lseek(SEEK_DATA/SEEK_HOLE) so sparse files are walked hole by hole.</summary>
internal static partial class SparseExtents
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    // Data extents beyond this many are merged into one tail range: the answer stays bounded for fragmented files.
    private const int MaxExtents = 1 << 20;

    /// <summary>Returns the data ranges, or null when lseek is unavailable (non-Linux, or a file system without support).</summary>
    public static IReadOnlyList<ByteRange>? TryGet(SafeFileHandle handle, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return length <= 0 ? [] : null;
        }

        var ranges = new List<ByteRange>();
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            long position = 0;
            while (position < length)
            {
                long dataStart;
                try
                {
                    dataStart = Lseek(fd, position, SeekData);
                }
                catch (EntryPointNotFoundException)
                {
                    return null;
                }
                catch (DllNotFoundException)
                {
                    return null;
                }

                if (dataStart < 0)
                {
                    // ENXIO: no data at or after position. Anything else: the file system cannot tell.
                    return Marshal.GetLastPInvokeError() == 6 ? ranges : null;
                }

                if (dataStart >= length)
                {
                    break;
                }

                var holeStart = Lseek(fd, dataStart, SeekHole);
                if (holeStart < 0 || holeStart <= dataStart)
                {
                    return null;
                }

                holeStart = Math.Min(holeStart, length);
                if (ranges.Count >= MaxExtents)
                {
                    ranges.Add(new ByteRange(dataStart, length - dataStart));
                    break;
                }

                ranges.Add(new ByteRange(dataStart, holeStart - dataStart));
                position = holeStart;
            }

            return ranges;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern long Lseek(int fd, long offset, int whence);
}
