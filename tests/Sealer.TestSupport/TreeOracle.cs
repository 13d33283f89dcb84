using System.Security.Cryptography;
using System.Text;

namespace Sealer.TestSupport;

/// <summary>
/// What a host directory tree holds, read with find(1) (independent of Sealer's own host calls): every path with
/// its type, mode, owner, size, mtime, inode and link target, and every regular file's content. ctime is included
/// unless told otherwise, so even a chmod or a rename away and back shows. Mount points are not crossed (-xdev).
/// </summary>
public static class TreeOracle
{
    /// <summary>One line per path, sorted; compare two of them with Is.EqualTo to see exactly what changed.</summary>
    /// <param name="withChange">Include ctime and the link count (leave out where another hard link may legitimately go away).</param>
    public static IReadOnlyList<string> Snapshot(string directory, bool withChange = true)
    {
        ExternalTool.Require("find");
        var format = withChange ? "%P\t%y\t%m\t%U:%G\t%s\t%T@\t%C@\t%i\t%n\t%l\n" : "%P\t%y\t%m\t%U:%G\t%s\t%T@\t%i\t%l\n";
        var lines = ExternalTool.Check("find", directory, "-xdev", "-printf", format).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var files = ExternalTool.Check("find", directory, "-xdev", "-type", "f", "-printf", "%P\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in files)
        {
            // find lists regular files only (never a fifo or a symlink), so reading them cannot block or escape.
            var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, file))));
            lines.Add($"{file}\tsha256={hash}");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>A short digest of <see cref="Snapshot"/>, for messages.</summary>
    public static string Digest(IReadOnlyList<string> snapshot) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', snapshot))))[..16];
}
