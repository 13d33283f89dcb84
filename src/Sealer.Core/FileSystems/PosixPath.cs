using Sealer.Core.Errors;

namespace Sealer.Core.FileSystems;

/// <summary>Guest path helpers. Guest paths never go through System.IO.Path.</summary>
public static class PosixPath
{
    /// <summary>Splits an absolute path into its components, dropping empty ones and "."; ".." is kept for the caller.</summary>
    public static string[] Split(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] != '/')
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path, "guest path must be absolute");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new GuestFileSystemException(FsError.InvalidPath, path.Replace('\0', '?'), "guest path contains NUL");
        }

        return path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
    }

    /// <summary>Normalises "a//b/./c/../d" lexically; ".." stops at "/".</summary>
    public static string Normalize(string path)
    {
        var stack = new List<string>();
        foreach (var part in Split(path))
        {
            if (part == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
            }
            else
            {
                stack.Add(part);
            }
        }

        return "/" + string.Join('/', stack);
    }

    /// <summary>A path cut to a readable length for a one-line message: the first two and last two components
    /// around "...", and no component longer than 40 characters (a looping tree can make paths of many KB).</summary>
    public static string Abbreviate(string path)
    {
        const int MaxLength = 120;
        const int MaxComponent = 40;
        if (path.Length <= MaxLength)
        {
            return path;
        }

        static string Cut(string part) => part.Length <= MaxComponent ? part : part[..MaxComponent] + "...";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var lead = path.StartsWith('/') ? "/" : "";
        if (parts.Length <= 4)
        {
            return lead + string.Join('/', parts.Select(Cut));
        }

        return lead + string.Join('/', new[] { parts[0], parts[1], "...", parts[^2], parts[^1] }.Select(p => p == "..." ? p : Cut(p)));
    }

    public static string Combine(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : directory + "/" + name;

    /// <summary>Parent of a normalised absolute path ("/" for "/x" and for "/").</summary>
    public static string GetDirectoryName(string path)
    {
        var index = path.LastIndexOf('/');
        return index <= 0 ? "/" : path[..index];
    }

    public static string GetFileName(string path)
    {
        var index = path.LastIndexOf('/');
        return path[(index + 1)..];
    }
}
