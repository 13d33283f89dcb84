using System.Diagnostics;
using NUnit.Framework;
using Sealer.Fuzz.Targets;

namespace Sealer.Fuzz.Tests;

/// <summary>
/// The bounded CI mode of the fuzz harness: for every target, the seeds and a fixed number of deterministic mutants
/// (fixed random seed) must each end in success or a documented Sealer error - no other exception, no hang (10 s
/// watchdog per input), no allocation beyond 1 GiB. A finding's input is saved under the test's work directory
/// (fuzz-findings/) to become a corpus case (testimages/fuzz/corpus/TARGET/).
/// </summary>
[TestFixture]
public sealed class FuzzCampaignTests
{
    public const int RandomSeed = 20261201;

    /// <summary>Iterations per target, sized for about 40 s in all on the 2-core CI machine.</summary>
    private static readonly (string Target, int Iterations)[] Budgets =
    [
        ("qcow2", 3000),
        ("qcow2-write", 1500),
        ("partitions", 3000),
        ("ext4", 1500),
        ("journal", 400),
        ("write", 300),
    ];

    /// <summary>
    /// Findings already known and being fixed elsewhere (issue 8), by target and signature prefix. They are printed, not
    /// failed; delete an entry when its fix is merged, and the campaign holds the fix from then on.
    /// </summary>
    private static readonly (string Target, string Signature, string Reason)[] KnownOpen = [];

    private static IEnumerable<TestCaseData> Campaigns() =>
        Budgets.Select(b => new TestCaseData(b.Target, b.Iterations).SetArgDisplayNames(b.Target));

    [TestCaseSource(nameof(Campaigns))]
    public void MutantsEndInSuccessOrADocumentedError(string targetName, int iterations)
    {
        var target = FuzzTargets.Get(targetName);
        var seeds = Seeds.Load(FuzzSeeds.Directory, target);
        Assert.That(seeds, Is.Not.Empty, "seed inputs");
        var result = Campaign.Run(target, seeds, iterations, RandomSeed);
        TestContext.Out.WriteLine(result.Summary);
        var saved = Save(result.Findings);
        var known = result.Findings.Select(f => KnownOpen.FirstOrDefault(k => k.Target == f.Target && f.Signature.StartsWith(k.Signature, StringComparison.Ordinal)).Reason).ToList();
        for (var i = 0; i < result.Findings.Count; i++)
        {
            if (known[i] is not null)
            {
                TestContext.Out.WriteLine($"known open finding ({known[i]}): {result.Findings[i].Signature}, input {saved[i]}");
            }
        }

        var findings = result.Findings.Where((_, i) => known[i] is null).ToList();
        Assert.That(findings, Is.Empty,
            string.Join("\n\n", findings.Select(f => $"{f.Signature}: input {saved[result.Findings.ToList().IndexOf(f)]}\n{f.Description}")));
        Assert.That(result.Executions, Is.EqualTo(seeds.Count + iterations));
        Assert.That(result.Succeeded, Is.GreaterThan(seeds.Count), "some mutants must get through (the mutator is not just breaking magic numbers)");
        Assert.That(result.Refusals.Values.Sum(), Is.GreaterThan(iterations / 50), "some mutants must be refused (the mutations reach the checks)");
    }

    [TestCaseSource(nameof(Campaigns))]
    public void EverySeedSucceedsUnmutated(string targetName, int iterations)
    {
        _ = iterations;
        var target = FuzzTargets.Get(targetName);
        foreach (var seed in Seeds.Load(FuzzSeeds.Directory, target))
        {
            var (refusal, finding) = Campaign.RunOne(target, seed, Campaign.DefaultTimeout);
            Assert.That(finding, Is.Null, finding?.Description);
            Assert.That(refusal, Is.Null, $"a seed of {targetName} is refused: {refusal?.Message}");
        }
    }

    [Test]
    public void TheMutatorIsDeterministic()
    {
        var target = FuzzTargets.Get("qcow2");
        var seed = Seeds.Load(FuzzSeeds.Directory, target)[0];
        var knowledge = Mutation.FormatKnowledge.For(target.Format, seed);
        var first = new Mutation.Mutator(7);
        var second = new Mutation.Mutator(7);
        for (var i = 0; i < 50; i++)
        {
            Assert.That(first.Mutate(seed, knowledge), Is.EqualTo(second.Mutate(seed, knowledge)), $"mutant {i}");
        }
    }

    [Test]
    public void ACrashAHangAndAMemoryBlowUpAreFindings()
    {
        // A target with planted bugs: the campaign must report each as a finding, not pass it as a refusal.
        var buggy = new FuzzTarget("planted", "test", InputFormat.Disk, input =>
        {
            switch (input.Length > 0 ? input[0] : 0)
            {
                case 1:
                    throw new IndexOutOfRangeException("planted");
                case 2:
                    Thread.Sleep(TimeSpan.FromSeconds(5));
                    break;
                case 3:
                    for (var i = 0; i < 3; i++)
                    {
                        GC.KeepAlive(new byte[32 << 20]);
                    }

                    break;
                case 4:
                    throw new Core.Errors.InvalidImageException("planted: refused");
            }
        });
        var result = Campaign.RunInputs(buggy, [[0], [1], [2], [4]], TimeSpan.FromSeconds(1));
        Assert.That(result.Findings.Select(f => f.Signature), Is.EquivalentTo(new[] { "IndexOutOfRangeException in (no Sealer frame)", "hang" }));
        Assert.That(result.Succeeded, Is.EqualTo(1));
        Assert.That(result.Refusals, Is.EquivalentTo(new Dictionary<string, int> { ["InvalidImageException"] = 1 }));
        var (_, memory) = Campaign.RunOne(buggy, [3], TimeSpan.FromSeconds(60), allocationBudget: 64 << 20);
        Assert.That(memory?.Signature, Is.EqualTo("memory"), "96 MiB allocated against a 64 MiB budget");
        var (_, withinBudget) = Campaign.RunOne(buggy, [3], TimeSpan.FromSeconds(60), allocationBudget: 128 << 20);
        Assert.That(withinBudget, Is.Null);
    }

    private static List<string> Save(IReadOnlyList<Finding> findings)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "fuzz-findings");
        System.IO.Directory.CreateDirectory(directory);
        var paths = new List<string>();
        foreach (var finding in findings)
        {
            var path = Path.Combine(directory, finding.FileName);
            File.WriteAllBytes(path, finding.Input);
            paths.Add(path);
        }

        Debug.Assert(paths.Count == findings.Count);
        return paths;
    }
}
