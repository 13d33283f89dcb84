using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Fuzz.Tests;

/// <summary>The seed inputs, made once per test run by testimages/fuzz/make-seeds.sh into a temporary folder.</summary>
[SetUpFixture]
public sealed class FuzzSeeds
{
    private static readonly Lock Gate = new();
    private static TempDirectory? _directory;

    /// <summary>The seed folder (DIR/&lt;target&gt;/); skips the test locally when a seed tool is missing.</summary>
    public static string Directory
    {
        get
        {
            foreach (var tool in new[] { "qemu-img", "qemu-io", "sfdisk", "mke2fs", "debugfs" })
            {
                ExternalTool.Require(tool);
            }

            lock (Gate)
            {
                if (_directory is null)
                {
                    var directory = new TempDirectory("sealer-fuzz-seeds");
                    Seeds.Make(RepositoryPaths.Root, directory.Path);
                    _directory = directory;
                }

                return _directory.Path;
            }
        }
    }

    [OneTimeTearDown]
    public void RemoveSeeds() => _directory?.Dispose();
}
