using System.Text;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

/// <summary>Builds small host directory trees for tests, and finds the repository's scripts.</summary>
internal static class HostTree
{
    public static string File(string root, string guestPath, string content)
    {
        var full = Host(root, guestPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    public static string Dir(string root, string guestPath)
    {
        var full = Host(root, guestPath);
        Directory.CreateDirectory(full);
        return full;
    }

    public static void Link(string root, string guestPath, string target)
    {
        var full = Host(root, guestPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.CreateSymbolicLink(full, target);
    }

    public static string Host(string root, string guestPath) => Path.Combine(root, guestPath.TrimStart('/'));

    public static string Read(Sealer.Core.FileSystems.IFileSystem fs, string path)
    {
        using var stream = fs.OpenRead(path);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The repository root, recorded at build time (tests/Directory.Build.props).</summary>
    public static string RepoRoot() => RepositoryPaths.Root;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> GeneratedTrees = new();
    private static readonly Lazy<TempDirectory> TreeCache = new(() => new TempDirectory("sealer-guest-trees"));

    /// <summary>Deletes the trees cached by <see cref="MakeGuestTree"/> (called once after all tests).</summary>
    public static void DeleteCachedTrees()
    {
        if (TreeCache.IsValueCreated)
        {
            TreeCache.Value.Dispose();
        }
    }

    /// <summary>
    /// A fresh copy of the tree testimages/make-guest-tree.sh makes for DISTRO, under <paramref name="parent"/>.
    /// The script runs once per distro per test run (it forks a lot, slow on a loaded machine); copies are cheap.
    /// </summary>
    public static string MakeGuestTree(string distro, string parent)
    {
        var cached = GeneratedTrees.GetOrAdd(distro, d => new Lazy<string>(() => RunMakeGuestTree(d, Path.Combine(TreeCache.Value.Path, d)))).Value;
        Directory.CreateDirectory(parent);
        var output = Path.Combine(parent, distro);
        ExternalTool.Check("cp", "-a", cached, output);
        return output;
    }

    private static string RunMakeGuestTree(string distro, string output)
    {
        ExternalTool.Require("ssh-keygen");
        var script = Path.Combine(RepoRoot(), "testimages", "make-guest-tree.sh");
        var result = ExternalTool.Run("bash", script, distro, output);
        Assert.That(result.ExitCode, Is.Zero, $"make-guest-tree.sh {distro} failed: {result}");
        return output;
    }
}
