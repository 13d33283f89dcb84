using Sealer.Core.FileSystems;

namespace Sealer.Fuzz.Support;

/// <summary>
/// Walks a file system the way inspect and the operations do: every directory, stat of every entry, the content of
/// every regular file (a bounded prefix) and every symlink target. A documented error on one entry skips that entry
/// only, so one damaged inode does not hide the rest of the tree from the fuzzer. Bounded in entries, depth and bytes.
/// </summary>
public static class TreeWalker
{
    private const int MaxEntries = 4096;
    private const int MaxDepth = 48;
    private const int MaxFileBytes = 256 << 10;

    public static int Walk(IFileSystem fs)
    {
        var visited = 0;
        var buffer = new byte[16 << 10];
        Visit(fs, "/", 0, ref visited, buffer);
        return visited;
    }

    private static void Visit(IFileSystem fs, string directory, int depth, ref int visited, byte[] buffer)
    {
        IReadOnlyList<DirectoryEntry>? entries = null;
        if (!Contract.Try(() => entries = fs.ReadDirectory(directory)) || entries is null)
        {
            return;
        }

        foreach (var entry in entries)
        {
            if (++visited > MaxEntries)
            {
                return;
            }

            var path = directory == "/" ? "/" + entry.Name : directory + "/" + entry.Name;
            FileStatus? status = null;
            if (!Contract.Try(() => status = fs.TryStat(path)) || status is null)
            {
                continue;
            }

            switch (status.Value.Kind)
            {
                case FileKind.Directory when depth < MaxDepth:
                    Visit(fs, path, depth + 1, ref visited, buffer);
                    break;
                case FileKind.Regular:
                    Contract.Try(() => ReadPrefix(fs, path, buffer));
                    break;
                case FileKind.Symlink:
                    Contract.Try(() => fs.ReadLink(path));
                    break;
            }
        }
    }

    private static void ReadPrefix(IFileSystem fs, string path, byte[] buffer)
    {
        using var stream = fs.OpenRead(path);
        var total = 0;
        int read;
        while (total < MaxFileBytes && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
        }
    }
}
