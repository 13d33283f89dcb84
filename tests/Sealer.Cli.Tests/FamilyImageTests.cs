using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>The seven family trees (testimages/make-family-tree.sh) as ext4 disk images: a default seal leaves a
/// clean file system that `check` passes, and sealing the sealed image reports no change and leaves it byte for
/// byte the same.</summary>
[TestFixture]
public sealed class FamilyImageTests
{
    public static readonly string[] Families = ["debian12", "ubuntu2404", "fedora40", "rhel9", "sles15", "arch", "alpine"];

    [TestCaseSource(nameof(Families))]
    public void SealingASealedImage_ReportsNoChange_AndWritesNothing(string family)
    {
        ExternalTool.Require("ssh-keygen");
        using var temp = new TempDirectory();
        var tree = temp.File("tree");
        ExternalTool.Check("bash", Path.Combine(TestImages.RepositoryRoot, "testimages", "make-family-tree.sh"), family, tree, temp.File("manifest"));
        var image = DiskBuilder.GptWithOneExt4(temp, tree, 48, family);

        var first = SealerProcess.RunOk("seal", "-a", image, "--json");
        Assert.That(SealReportJson.Actions(first.StdOut), Is.Not.Empty);
        DiskOracle.ExtractFileSystems(image, temp).ToList().ForEach(DiskOracle.E2fsckClean);
        var check = SealerProcess.Run("check", "-a", image);
        Assert.That(check.ExitCode, Is.Zero, check.ToString());

        var sealedHash = DiskOracle.Sha256(image);
        var second = SealerProcess.RunOk("seal", "-a", image, "--json");
        Assert.That(SealReportJson.Actions(second.StdOut), Is.Empty, "a second seal must report 0 changes");
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(sealedHash), "a second seal must leave the image byte-identical");
    }
}
