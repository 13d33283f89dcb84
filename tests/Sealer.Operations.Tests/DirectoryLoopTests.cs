using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Operations.Tests.Fakes;

namespace Sealer.Operations.Tests;

/// <summary>
/// Issue 8 item 5: a directory hard-linked back to an ancestor (`ln / /tmp/rootlink` on a corrupt file system) made
/// walks run for minutes and ended with a 10 KB path; now the second visit is refused at once, in one short line.
/// </summary>
[TestFixture]
public sealed class DirectoryLoopTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static InMemoryFileSystem LoopingTree()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/etc/hostname", "guest\n")
            .AddFile("/tmp/a/b/c", "x")
            .AddFile("/var/log/x.log", "y");
        fs.CreateHardLink("/", "/tmp/rootlink");
        fs.CreateHardLink("/var", "/var/log/back");
        return fs;
    }

    private static InvalidImageException RefusedWithin(Action action)
    {
        InvalidImageException? error = null;
        var task = Task.Run(() => error = Assert.Throws<InvalidImageException>(() => action()));
        Assert.That(task.Wait(Bound), Is.True, $"refused within {Bound.TotalSeconds} s");
        Assert.That(error!.Message, Does.Contain("directory loop").And.Not.Contain('\n'));
        Assert.That(error.Message, Has.Length.LessThan(250), error.Message);
        return error;
    }

    [Test]
    public void Walk_OverALoopToTheRoot_IsRefusedAtOnce() =>
        RefusedWithin(() => new GuestFiles(LoopingTree(), "t").Walk("/").ToList());

    [Test]
    public void DeleteTree_OverALoop_IsRefusedAndDeletesNothing()
    {
        var fs = LoopingTree();
        RefusedWithin(() => new GuestFiles(fs, "t").DeleteTree("/var"));
        Assert.That(fs.Exists("/var/log/x.log"), Is.True, "nothing deleted");
    }

    [Test]
    public void DeleteFilesBelow_OverALoop_IsRefused() =>
        RefusedWithin(() => new GuestFiles(LoopingTree(), "t").DeleteFilesBelow("/tmp"));

    [Test]
    public void SameNameTwiceWithoutLoop_StillWalks()
    {
        var fs = new InMemoryFileSystem().AddFile("/a/x/f", "1").AddFile("/b/x/f", "2");
        Assert.That(new GuestFiles(fs, "t").Walk("/").Count(), Is.EqualTo(6));
    }
}
