using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>Small, bounded, failure-tolerant reads used by inspection (guest content is untrusted).</summary>
internal static class GuestFiles
{
    public const int MaxSmallFile = 64 * 1024;

    public static FileStatus? StatFollow(GuestRoot guest, string path)
    {
        try
        {
            return guest.TryStatFollow(path);
        }
        catch (GuestFileSystemException)
        {
            // NotADirectory / SymlinkLoop on the way: for inspection the file is simply not there.
            return null;
        }
    }

    public static bool IsFile(GuestRoot guest, string path) => StatFollow(guest, path)?.Kind == FileKind.Regular;

    public static bool IsDirectory(GuestRoot guest, string path) => StatFollow(guest, path)?.Kind == FileKind.Directory;

    public static bool Exists(GuestRoot guest, string path) => StatFollow(guest, path) is not null;

    /// <summary>The first <see cref="MaxSmallFile"/> bytes of a regular file as UTF-8, or null if it is not a readable regular file.</summary>
    public static string? ReadSmallText(GuestRoot guest, string path)
    {
        if (!IsFile(guest, path))
        {
            return null;
        }

        try
        {
            using var stream = guest.OpenRead(path);
            var buffer = new byte[MaxSmallFile];
            var total = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (GuestFileSystemException)
        {
            return null;
        }
    }

    public static IReadOnlyList<DirectoryEntry> ListOrEmpty(GuestRoot guest, string path)
    {
        if (!IsDirectory(guest, path))
        {
            return [];
        }

        try
        {
            return guest.ReadDirectory(path);
        }
        catch (GuestFileSystemException)
        {
            return [];
        }
    }
}
