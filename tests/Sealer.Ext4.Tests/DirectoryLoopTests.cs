using NUnit.Framework;
using Sealer.Core.Errors;

namespace Sealer.Ext4.Tests;

/// <summary>Issue 8 item 5: a directory entry leading back to an ancestor (debugfs "link / tmp/rootlink") is refused
/// at once by DeleteTree, in one short line, and nothing is written.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DirectoryLoopTests
{
    [TestCase("link / var/log/rootlink", "/var")]
    [TestCase("link /var/log var/log/sub/up", "/var/log")]
    [TestCase("link /var/log/sub data/sub-again", "/data")]
    public void DeleteTree_OverADirectoryReachedTwice_IsRefusedAtOnce(string link, string deleted)
    {
        using var img = HostileImage.Make();
        img.Damage(link);
        if (deleted == "/data")
        {
            // A plain second name for a directory elsewhere: deleting both trees would free its inodes twice.
            img.Damage("link /var/log/sub data/sub-twice");
        }

        var task = Task.Run(() => img.AssertRefused(fs => fs.DeleteTree(deleted), "directory loop"));
        Assert.That(task.Wait(TimeSpan.FromSeconds(20)), Is.True, "refused within 20 s");
        Assert.That(task.Result.Message, Has.Length.LessThan(200), task.Result.Message);
    }
}
