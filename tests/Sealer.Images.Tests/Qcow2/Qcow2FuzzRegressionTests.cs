using System.Buffers.Binary;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Images.Qcow2;
using Sealer.Images.Tests.Support;
using Sealer.Images.Tests.Transactions;
using Sealer.TestSupport;

namespace Sealer.Images.Tests.Qcow2;

/// <summary>Inputs found by the fuzz harness (tests/Sealer.Fuzz), reduced to the one field that matters.</summary>
[TestFixture]
public sealed class Qcow2FuzzRegressionTests
{
    [Test]
    [CancelAfter(20_000)]
    public void EmptyFirstRefcountTableEntry_IsRefusedOnTheFirstAllocation_AndTheHeaderIsNotOverwritten()
    {
        Qemu.Require();
        using var temp = new TempDirectory();
        var path = temp.File("a.qcow2");
        Qemu.Img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", path, "1M");
        var bytes = File.ReadAllBytes(path);
        var refcountTable = (int)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(48));
        bytes.AsSpan(refcountTable, 8).Clear();
        var file = new MemoryHostFile(bytes);

        // Before the fix the allocator wrote a fresh refcount block over the header at offset 0, again and again.
        var task = Task.Run(() =>
        {
            using var image = new Qcow2Image(file, writable: true, ownsFile: false);
            image.Write(0, new byte[4096]);
        });
        Assert.That(((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), Is.True, "the write returns (no endless allocation loop)");
        var error = task.Exception?.InnerException;
        Assert.That(error, Is.TypeOf<InvalidImageException>());
        Assert.That(error!.Message, Does.Contain("refcount table entry 0"));
        Assert.That(file.ToArray().AsSpan(0, 4096).SequenceEqual(bytes.AsSpan(0, 4096)), Is.True, "header cluster unchanged");
    }
}
