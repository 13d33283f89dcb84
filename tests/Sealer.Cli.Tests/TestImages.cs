using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>The generated test images (testimages/make-test-images.sh), made once per test run.</summary>
[SetUpFixture]
public sealed class TestImages
{
    private static TempDirectory? s_directory;

    public static string RepositoryRoot => RepositoryPaths.Root;

    /// <summary>A fresh private copy of a generated image (tests change their copies).</summary>
    public static string Copy(string name, TempDirectory into)
    {
        ExternalTool.Require("qemu-img");
        ExternalTool.Require("mke2fs");
        ExternalTool.Require("sfdisk");
        lock (typeof(TestImages))
        {
            if (s_directory is null)
            {
                var dir = new TempDirectory("sealer-images");
                ExternalTool.Check(Path.Combine(RepositoryRoot, "testimages", "make-test-images.sh"), dir.Path);
                s_directory = dir;
            }
        }

        var copy = into.File(name);
        File.Copy(Path.Combine(s_directory.Path, name), copy);
        return copy;
    }

    [OneTimeTearDown]
    public void RemoveImages() => s_directory?.Dispose();
}
