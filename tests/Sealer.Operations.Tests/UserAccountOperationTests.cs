using NUnit.Framework;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class UserAccountOperationTests
{
    private static InMemoryFileSystem Tree() => new InMemoryFileSystem()
        .AddFile("/etc/login.defs", "UID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\n")
        .AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nsshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n" +
            "alice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\nsvc:x:1002:1002::/srv:/bin/sh\n" +
            "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n")
        .AddFile("/etc/shadow", "root:*:1::::::\nalice:$6$x:1::::::\nbob:$6$y:1::::::\nsvc:!:1::::::\n")
        .AddFile("/etc/group", "root:x:0:\nsudo:x:27:alice,bob\nalice:x:1000:\nbob:x:1001:\nsvc:x:1002:\n")
        .AddFile("/etc/gshadow", "sudo:*:alice:alice,bob\nalice:!::\nbob:!::\n")
        .AddFile("/home/alice/.profile", "x")
        .AddFile("/home/bob/.profile", "x")
        .AddFile("/srv/data", "service data")
        .AddFile("/var/spool/mail/alice", "mail");

    [Test]
    public void RemovesNormalUsersExceptKept_AndNeverTouchesSystemHomes()
    {
        var fs = Tree();
        var context = Run("user-account", fs, GuestTrees.Debian12().Guest, new SealOptions { KeepUserAccounts = ["bob"] });
        Assert.That(fs.Text("/etc/passwd"), Is.EqualTo("root:x:0:0:root:/root:/bin/bash\nsshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n" +
            "bob:x:1001:1001:Bob:/home/bob:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"));
        Assert.That(fs.Text("/etc/shadow"), Is.EqualTo("root:*:1::::::\nbob:$6$y:1::::::\n"));
        Assert.That(fs.Text("/etc/group"), Is.EqualTo("root:x:0:\nsudo:x:27:bob\nbob:x:1001:\n"));
        Assert.That(fs.Text("/etc/gshadow"), Is.EqualTo("sudo:*::bob\nbob:!::\n"));
        Assert.That(fs.Exists("/home/alice"), Is.False);
        Assert.That(fs.Exists("/home/bob/.profile"), Is.True);
        Assert.That(fs.Exists("/srv/data"), Is.True, "a home directly under / is a system directory");
        Assert.That(fs.Exists("/var/spool/mail/alice"), Is.False);
        Assert.That(Summary(context), Does.Contain("deleted-tree /home/alice"));
    }

    [Test]
    public void RemoveList_LimitsTheVictims()
    {
        var fs = Tree();
        Run("user-account", fs, GuestTrees.Debian12().Guest, new SealOptions { RemoveUserAccounts = ["bob"] });
        Assert.That(fs.Text("/etc/passwd"), Does.Contain("alice:").And.Not.Contain("bob:"));
        Assert.That(fs.Exists("/home/alice"), Is.True);
    }
}
