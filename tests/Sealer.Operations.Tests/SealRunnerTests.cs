using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationRegistryTests;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class SealRunnerTests
{
    [Test]
    public void FailingOperation_StopsTheRun_AndKeepsItsActionsAndError()
    {
        var (fs, guest) = GuestTrees.Debian12();
        ISealOperation[] ops =
        [
            new TestOperation("a-first", "h", "d", perform: c => c.Files.DeleteIfExists("/etc/hostname")),
            new TestOperation("b-breaks", "h", "d", perform: c =>
            {
                c.Files.DeleteIfExists("/etc/krb5.keytab");
                c.Warn("about to fail");
                throw new GuestFileSystemException(FsError.NoSpace, "/etc/new", "ext4: no free block");
            }),
            new TestOperation("c-later", "h", "d", perform: c => c.Files.DeleteIfExists("/etc/passwd")),
        ];
        var report = SealRunner.Run(fs, guest, ops, new SealOptions(), time: new OperationHarness.FixedTime());
        Assert.That(report.Succeeded, Is.False);
        Assert.That(report.Operations.Select(o => (o.Name, o.Status)), Is.EqualTo(new[]
        {
            ("a-first", OperationStatus.Applied), ("b-breaks", OperationStatus.Failed), ("c-later", OperationStatus.NotRun),
        }));
        Assert.That(report.Operations[1].Error, Does.StartWith("ext4: no free block"));
        Assert.That(report.Operations[1].Actions.Single().Path, Is.EqualTo("/etc/krb5.keytab"));
        Assert.That(fs.Exists("/etc/passwd"), Is.True);
    }

    [Test]
    public void CorruptImage_IsNotAnOperationFailure_AndPropagates()
    {
        var (fs, guest) = GuestTrees.Debian12();
        ISealOperation[] ops = [new TestOperation("reads", "h", "d", perform: _ => throw new InvalidImageException("ext4: inode 40 checksum mismatch at offset 0x28700"))];
        Assert.Throws<InvalidImageException>(() => SealRunner.Run(fs, guest, ops, new SealOptions()));
    }

    [Test]
    public void OtherExceptions_AreBugsAndPropagate()
    {
        var (fs, guest) = GuestTrees.Debian12();
        ISealOperation[] ops = [new TestOperation("boom", "h", "d", perform: _ => throw new InvalidOperationException("bug"))];
        Assert.Throws<InvalidOperationException>(() => SealRunner.Run(fs, guest, ops, new SealOptions()));
    }

    [Test]
    public void RunsInOrderThenName_AndReportsNotApplicable()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var order = new List<string>();
        ISealOperation[] ops =
        [
            new TestOperation("z-early", "h", "d", perform: c => order.Add("z-early"), order: -1),
            new TestOperation("b", "h", "d", perform: c => order.Add("b")),
            new TestOperation("a", "h", "d", perform: c => order.Add("a")),
            OperationHarness.Op("rpm-db"),
        ];
        var report = SealRunner.Run(fs, guest, ops, new SealOptions());
        Assert.That(order, Is.EqualTo(new[] { "z-early", "a", "b" }));
        Assert.That(report.Operations.Single(o => o.Name == "rpm-db").Status, Is.EqualTo(OperationStatus.NotApplicable));
        Assert.That(report.Succeeded, Is.True);
    }

    [Test]
    public void Report_RoundTripsThroughJson_WithKebabCaseEnums()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        var report = SealRunner.Run(fs, guest, OperationSelection.Defaults.Resolve(OperationRegistry.CreateDefault()), new SealOptions(),
            time: new OperationHarness.FixedTime());
        var json = report.ToJson();
        Assert.That(json, Does.Contain("\"kind\": \"deleted-tree\"").And.Contain("\"status\": \"not-applicable\"").And.Contain("\"startedAt\""));
        var back = SealReport.FromJson(json);
        Assert.That(back.StartedAt, Is.EqualTo(report.StartedAt));
        Assert.That(back.Operations.Select(o => (o.Name, o.Status, o.Error)), Is.EqualTo(report.Operations.Select(o => (o.Name, o.Status, o.Error))));
        Assert.That(back.AllActions, Is.EqualTo(report.AllActions));
        Assert.That(back.Operations.SelectMany(o => o.Warnings), Is.EqualTo(report.Operations.SelectMany(o => o.Warnings)));
    }

    [Test]
    public void Report_TextForm_HasOneLinePerAction()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var report = SealRunner.Run(fs, guest, OperationSelection.Parse("machine-id,bash-history").Resolve(OperationRegistry.CreateDefault()), new SealOptions());
        Assert.That(report.ToText(), Is.EqualTo(
            "bash-history: delete /root/.bash_history (22 bytes)\n" +
            "bash-history: delete /home/alice/.bash_history (3 bytes)\n" +
            "machine-id: truncate /etc/machine-id (33 bytes)\n" +
            "2 operations applied, 3 changes\n"));
        Assert.That(report.ToText(dryRun: true), Is.EqualTo(
            "bash-history: would delete /root/.bash_history (22 bytes)\n" +
            "bash-history: would delete /home/alice/.bash_history (3 bytes)\n" +
            "machine-id: would truncate /etc/machine-id (33 bytes)\n" +
            "2 operations would apply 3 changes\n"));
    }
}
