using NUnit.Framework;
using Sealer.Fuzz.Targets;
using Sealer.TestSupport;

namespace Sealer.Fuzz.Tests;

/// <summary>
/// Every input that once broke a target (testimages/fuzz/corpus/TARGET/NAME) is replayed forever: it must now end in
/// success or a documented error. The folder name is the target.
/// </summary>
[TestFixture]
public sealed class CorpusReplayTests
{
    private static string CorpusRoot => Path.Combine(RepositoryPaths.TestImages, "fuzz", "corpus");

    private static IEnumerable<TestCaseData> CorpusFiles()
    {
        if (!Directory.Exists(CorpusRoot))
        {
            yield break;
        }

        foreach (var directory in Directory.GetDirectories(CorpusRoot).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                var target = Path.GetFileName(directory);
                yield return new TestCaseData(target, file).SetArgDisplayNames($"{target}/{Path.GetFileName(file)}");
            }
        }
    }

    [TestCaseSource(nameof(CorpusFiles))]
    public void CorpusInputKeepsTheContract(string targetName, string file)
    {
        var (_, finding) = Campaign.RunOne(FuzzTargets.Get(targetName), Seeds.ReadInput(file), Campaign.DefaultTimeout);
        Assert.That(finding, Is.Null, finding is null ? null : $"{finding.Signature}\n{finding.Description}");
    }

    [Test]
    public void EveryCorpusFolderNamesATarget()
    {
        var known = FuzzTargets.All.Select(t => t.Name).ToHashSet();
        var folders = Directory.Exists(CorpusRoot) ? Directory.GetDirectories(CorpusRoot).Select(Path.GetFileName).ToList() : [];
        Assert.That(folders, Is.All.Matches<string>(known.Contains), "testimages/fuzz/corpus/TARGET: TARGET must be one of " + string.Join(", ", known));
    }
}
