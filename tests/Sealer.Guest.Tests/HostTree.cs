using System.Runtime.CompilerServices;
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

    /// <summary>The folder holding Sealer.sln: above the test binaries, or (with --artifacts-path) above this source file.</summary>
    public static string RepoRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { TestContext.CurrentContext.TestDirectory, Path.GetDirectoryName(sourceFile) ?? string.Empty })
        {
            var dir = start.Length == 0 ? null : new DirectoryInfo(start);
            while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Sealer.sln")))
            {
                dir = dir.Parent;
            }

            if (dir is not null)
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Sealer.sln not found above the test directory or the test sources");
    }

    /// <summary>Runs testimages/make-guest-tree.sh DISTRO into a new folder under <paramref name="parent"/>.</summary>
    public static string MakeGuestTree(string distro, string parent, IDictionary<string, string>? environment = null)
    {
        ExternalTool.Require("ssh-keygen");
        var output = Path.Combine(parent, distro);
        var script = Path.Combine(RepoRoot(), "testimages", "make-guest-tree.sh");
        var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(distro);
        psi.ArgumentList.Add(output);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"make-guest-tree.sh {distro} failed: {stderr.Result}");
        return output;
    }
}
