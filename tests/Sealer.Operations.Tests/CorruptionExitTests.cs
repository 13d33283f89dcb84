using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Operations.Tests.Fakes;

namespace Sealer.Operations.Tests;

/// <summary>Issue 8 item 7: a file system that reports corruption (FsError.Corrupt, e.g. EUCLEAN/EIO from a host
/// tree) fails the run as an invalid image (exit 3), not as one operation's failure (exit 1).</summary>
[TestFixture]
public sealed class CorruptionExitTests
{
    [Test]
    public void CorruptFileSystemError_PropagatesInsteadOfFailingTheOperation()
    {
        var (fs, guest) = GuestTrees.Debian12();
        ISealOperation[] ops =
        [
            new OperationRegistryTests.TestOperation("reads", "h", "d", perform: _ =>
                throw new GuestFileSystemException(FsError.Corrupt, "/var/log/wtmp", "Structure needs cleaning")),
        ];
        var error = Assert.Throws<GuestFileSystemException>(() => SealRunner.Run(fs, guest, ops, new SealOptions()));
        Assert.That(error!.Code, Is.EqualTo(FsError.Corrupt));
    }
}
