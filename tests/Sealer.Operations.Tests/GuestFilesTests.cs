using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.Operations.Tests.Fakes;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class GuestFilesTests
{
    private static InMemoryFileSystem Tree() => new InMemoryFileSystem()
        .AddFile("/var/log/a.log", "12345")
        .AddFile("/var/log/b.log.1", "1")
        .AddFile("/var/log/.hidden.log", "x")
        .AddFile("/var/log/sub/c.log", "123")
        .AddFile("/home/alice/.bash_history", "ls\n")
        .AddFile("/home/bob/.bash_history", "pwd\n")
        .AddFile("/etc/real/hosts", "x")
        .AddSymlink("/home/evil", "/etc/real")
        .AddFile("/etc/conf", "a=1\r\nb=2\n# café \u00e9\n");

    [Test]
    public void Glob_MatchesPerComponent_SkipsDotfilesAndNeverDescendsWildcardSymlinks()
    {
        var files = new GuestFiles(Tree(), "t");
        Assert.That(files.Glob("/var/log/*.log*"), Is.EqualTo(new[] { "/var/log/a.log", "/var/log/b.log.1" }));
        Assert.That(files.Glob("/home/*/.bash_history"), Is.EqualTo(new[] { "/home/alice/.bash_history", "/home/bob/.bash_history" }));
        Assert.That(files.Glob("/home/*/hosts"), Is.Empty);
        Assert.That(files.Glob("/nonexistent/*/x"), Is.Empty);
    }

    [Test]
    public void MissingFilesAndParentsAreNotErrors()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "t");
        Assert.That(files.DeleteIfExists("/no/such/file"), Is.False);
        Assert.That(files.TruncateIfExists("/etc/conf/child"), Is.False); // a file used as a directory
        Assert.That(files.DeleteGlob("/no/*"), Is.Zero);
        Assert.That(files.ReadAllText("/missing"), Is.Null);
        Assert.That(files.ListDirectory("/missing"), Is.Empty);
        Assert.That(files.Actions, Is.Empty);
        Assert.That(fs.Mutations, Is.Empty);
    }

    [Test]
    public void DeleteGlob_RecordsSizesAndTreeTotals()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "logs");
        files.DeleteGlob("/var/log/*");
        Assert.That(files.Actions, Is.EqualTo(new[]
        {
            new SealAction("logs", "/var/log/a.log", SealActionKind.Deleted, 5),
            new SealAction("logs", "/var/log/b.log.1", SealActionKind.Deleted, 1),
            new SealAction("logs", "/var/log/sub", SealActionKind.DeletedTree, 3),
        }));
        Assert.That(fs.Exists("/var/log/.hidden.log"), Is.True);
    }

    [Test]
    public void DeleteDirectoryContents_RemovesDotfilesAndKeepsTheDirectory()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "t");
        Assert.That(files.DeleteDirectoryContents("/var/log", e => e.Name == "sub"), Is.EqualTo(3));
        Assert.That(fs.AllPaths().Where(p => p.StartsWith("/var/log", StringComparison.Ordinal)), Is.EqualTo(new[] { "/var/log", "/var/log/sub", "/var/log/sub/c.log" }));
    }

    [Test]
    public void RewriteLines_KeepsOtherBytesAndCarriageReturns_AndRecordsOnlyRealChanges()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "t");
        Assert.That(files.RewriteLines("/etc/conf", l => l), Is.False);
        Assert.That(files.RewriteLines("/etc/conf", l => l.StartsWith("b=", StringComparison.Ordinal) ? null : l), Is.True);
        Assert.That(fs.Text("/etc/conf"), Is.EqualTo("a=1\r\n# café \u00e9\n"));
        Assert.That(files.Actions, Has.Count.EqualTo(1));
        Assert.That(files.Actions[0].Kind, Is.EqualTo(SealActionKind.Rewritten));
    }

    [Test]
    public void WriteText_IsIdempotentAndNeverWritesThroughSymlinks()
    {
        var fs = Tree().AddSymlink("/etc/link", "/etc/conf");
        var files = new GuestFiles(fs, "t");
        Assert.That(files.WriteText("/etc/new", "x\n", UnixFileMode.UserRead), Is.True);
        Assert.That(files.WriteText("/etc/new", "x\n", UnixFileMode.UserRead), Is.True);
        Assert.That(files.WriteText("/etc/link", "y\n", UnixFileMode.UserRead), Is.False);
        Assert.That(OperationHarness.Summary(new SealContext(files, new Guest.Inspection.GuestInfo(), new SealOptions())), Is.EqualTo(new[] { "created /etc/new" }));
        Assert.That(fs.Text("/etc/conf"), Does.StartWith("a=1"));
    }

    [Test]
    public void EnsureDirectoryAndSymlink_RecordEachCreation()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "t");
        files.EnsureDirectory("/etc/systemd/system/x.wants", UnixFileMode.UserRead);
        files.CreateSymlink("/etc/systemd/system/x.wants/u.service", "/etc/u.service");
        files.CreateSymlink("/etc/systemd/system/x.wants/u.service", "/etc/u.service");
        Assert.That(files.Actions.Select(a => (a.Kind, a.Path)), Is.EqualTo(new[]
        {
            (SealActionKind.DirectoryCreated, "/etc/systemd"),
            (SealActionKind.DirectoryCreated, "/etc/systemd/system"),
            (SealActionKind.DirectoryCreated, "/etc/systemd/system/x.wants"),
            (SealActionKind.SymlinkCreated, "/etc/systemd/system/x.wants/u.service"),
        }));
        Assert.That(fs.TryStat("/etc/systemd/system/x.wants/u.service")?.Kind, Is.EqualTo(FileKind.Symlink));
    }

    [Test]
    public void ReadAllText_RefusesHugeFilesByName()
    {
        var fs = new InMemoryFileSystem().AddFile("/big", new string('x', (int)GuestFiles.MaxTextBytes + 1));
        var e = Assert.Throws<Core.Errors.UnsupportedFeatureException>(() => new GuestFiles(fs, "t").ReadAllText("/big"));
        Assert.That(e!.Message, Does.Contain("/big"));
    }

    [Test]
    public void DeleteTree_OnASymlinkToADirectory_RemovesOnlyTheLink()
    {
        var fs = Tree();
        var files = new GuestFiles(fs, "t");
        Assert.That(files.DeleteTree("/home/evil"), Is.True);
        Assert.That(fs.Text("/etc/real/hosts"), Is.EqualTo("x"));
        Assert.That(files.Actions.Single(), Is.EqualTo(new SealAction("t", "/home/evil", SealActionKind.Deleted, 0)));
    }

    [Test]
    public void Walk_RefusesImpossiblyDeepTrees()
    {
        var fs = new InMemoryFileSystem().AddFile("/" + string.Join('/', Enumerable.Repeat("d", GuestFiles.MaxDepth + 2)) + "/f", "x");
        Assert.Throws<Core.Errors.InvalidImageException>(() => new GuestFiles(fs, "t").Walk("/").ToList());
    }
}
