using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>Issue 7, item 10: a dry run and `check` speak in the conditional with the same action words as the real
/// run ("machine-id: would truncate /etc/machine-id (33 bytes)" before, "machine-id: truncate ..." in the run).</summary>
[TestFixture]
public sealed partial class ReportWordingTests
{
    private static readonly string[] ActionVerbs =
        ["delete", "truncate", "rewrite", "create", "delete tree", "create symlink", "create directory"];

    [Test]
    public void DryRun_CheckAndRealRun_UseTheSameActionWords()
    {
        using var temp = new TempDirectory();
        var image = CommandLineTests.DemoCopy(temp);

        var dry = SealerProcess.RunOk("seal", "-a", image, "--dry-run").StdOut;
        var check = SealerProcess.Run("check", "-a", image);
        var real = SealerProcess.RunOk("seal", "-a", image).StdOut;

        var realActions = ActionLines(real);
        Assert.That(realActions, Is.Not.Empty, real);
        Assert.That(realActions, Has.All.Match(ActionLinePattern(conditional: false)), real);
        Assert.That(realActions, Has.Some.StartsWith("machine-id: truncate /etc/machine-id ("));

        var dryActions = ActionLines(dry);
        Assert.That(dryActions, Has.All.Match(ActionLinePattern(conditional: true)), dry);
        Assert.That(dryActions.Select(l => l.Replace(": would ", ": ", StringComparison.Ordinal)), Is.EqualTo(realActions), "the dry run plans exactly the real run, in the same words");

        Assert.That(check.ExitCode, Is.EqualTo(1), check.ToString());
        var findings = check.StdOut.Split('\n').Where(l => l.StartsWith("identifying: ", StringComparison.Ordinal)).Select(l => l["identifying: ".Length..]).ToList();
        Assert.That(findings, Is.Not.Empty);
        Assert.That(findings, Is.SubsetOf(dryActions), "check names each finding as the dry run does");
        Assert.That(check.StdOut + dry, Does.Not.Contain("would be").And.Not.Contain("deletedtree").And.Not.Contain("deleted-tree"));
    }

    [Test]
    public void EveryActionKind_HasOneVerb_UsedByTextAndJson()
    {
        foreach (var kind in Enum.GetValues<Operations.SealActionKind>())
        {
            var verb = Operations.SealActionWords.Verb(kind);
            Assert.That(ActionVerbs, Does.Contain(verb), kind.ToString());
            Assert.That(Operations.SealActionWords.Phrase(kind, dryRun: true), Is.EqualTo("would " + verb));
            Assert.That(Operations.SealActionWords.Phrase(kind, dryRun: false), Is.EqualTo(verb));
        }

        Assert.That(Enum.GetValues<Operations.SealActionKind>().Select(Operations.SealActionWords.Verb).Distinct().Count(), Is.EqualTo(Enum.GetValues<Operations.SealActionKind>().Length), "one word per kind");
    }

    private static List<string> ActionLines(string text) =>
        text.Split('\n').Where(l => ActionLine().IsMatch(l)).ToList();

    private static string ActionLinePattern(bool conditional) =>
        $"^[a-z0-9-]+: {(conditional ? "would " : string.Empty)}({string.Join('|', ActionVerbs)}) /\\S.* \\(\\d+ bytes?\\)$";

    [GeneratedRegex(@"^[a-z0-9-]+: (would )?[a-z ]+ /.* \(\d+ bytes?\)$")]
    private static partial Regex ActionLine();
}
