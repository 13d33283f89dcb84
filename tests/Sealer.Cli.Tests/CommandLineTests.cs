using System.Reflection;
using CommandLine;
using NUnit.Framework;
using Sealer.Cli.Commands;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>Issue 7, items 8, 9 and 13: no implied verb, no ignored words, help on standard output, value names,
/// one parser for the options every verb shares.</summary>
[TestFixture]
public sealed class CommandLineTests
{
    private static readonly string[] Verbs = ["seal", "inspect", "check"];

    [TestCase("chek", "check")]
    [TestCase("sael", "seal")]
    [TestCase("inspcet", "inspect")]
    public void MistypedVerb_IsAUsageError_NamingItAndTheNearestVerb_AndWritesNothing(string typed, string suggested)
    {
        using var temp = new TempDirectory();
        var image = DemoCopy(temp);
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run(typed, "-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain($"'{typed}'").And.Contain($"'{suggested}'"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before), "a mistyped verb must not seal the image");
        Assert.That(File.Exists(image + ".sealer-redo"), Is.False);
    }

    [Test]
    public void FarAwayVerb_IsAUsageError_WithoutASuggestion()
    {
        var r = SealerProcess.Run("frobnicate", "-a", "x.img");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("'frobnicate'").And.Not.Contain("did you mean"));
    }

    [Test]
    public void MissingVerb_IsAUsageError_AndWritesNothing()
    {
        using var temp = new TempDirectory();
        var image = DemoCopy(temp);
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run("-a", image);

        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("no verb"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));

        var nothing = SealerProcess.Run();
        Assert.That(nothing.ExitCode, Is.EqualTo(2), nothing.ToString());
        AssertOneLineUsageError(nothing);
    }

    [TestCase("seal", "foo", "bar")]
    [TestCase("check", "foo")]
    [TestCase("inspect", "foo")]
    public void StrayPositionalWord_IsAUsageError_NamingIt_AndWritesNothing(string verb, params string[] words)
    {
        using var temp = new TempDirectory();
        var image = DemoCopy(temp);
        var before = DiskOracle.Sha256(image);

        var r = SealerProcess.Run([verb, .. words, "-a", image]);

        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain($"'{words[0]}'"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void StrayWordThatLooksLikeAVerb_SuggestsIt()
    {
        var r = SealerProcess.Run("seal", "chek", "-a", "x.img");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("'chek'").And.Contain("'check'"));
    }

    [Test]
    public void WordAfterASequenceOption_IsNotSilentlyDropped()
    {
        var r = SealerProcess.Run("seal", "--operations", "defaults", "foo", "--list-operations");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("foo"));
    }

    [Test]
    public void UnknownOption_IsAOneLineUsageError_SuggestingTheNearestOption()
    {
        var r = SealerProcess.Run("seal", "--hostnmae", "x", "-a", "x.img");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("--hostnmae").And.Contain("--hostname"));
    }

    [Test]
    public void OptionWithoutItsValue_IsAOneLineUsageError_NamingTheValue()
    {
        var r = SealerProcess.Run("seal", "-a", "x.img", "--hostname");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        AssertOneLineUsageError(r);
        Assert.That(r.StdErr, Does.Contain("--hostname NAME"));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public void TopLevelHelp_GoesToStandardOutput_AndExitsZero(string flag)
    {
        var r = SealerProcess.Run(flag);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.StdErr, Is.Empty);
        Assert.That(r.StdOut, Does.Contain("Usage: sealer VERB"));
        foreach (var verb in Verbs)
        {
            Assert.That(r.StdOut, Does.Match($@"(?m)^  {verb}\s+\S"), $"{verb} is listed");
        }
    }

    [Test]
    public void VerbHelp_GoesToStandardOutput_AndExitsZero_ForEveryVerbAndSpelling(
        [Values("seal", "inspect", "check")] string verb,
        [Values("--help", "-h", "help")] string flag)
    {
        var r = flag == "help" ? SealerProcess.Run("help", verb) : SealerProcess.Run(verb, flag);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.StdErr, Is.Empty);
        Assert.That(r.StdOut, Does.Contain($"Usage: sealer {verb} "));
    }

    [Test]
    public void HelpWins_EvenWithOtherOptions_AndNeverOpensTheImage()
    {
        using var temp = new TempDirectory();
        var image = DemoCopy(temp);
        var before = DiskOracle.Sha256(image);
        var r = SealerProcess.Run("seal", "-a", image, "--help");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.StdOut, Does.Contain("Usage: sealer seal"));
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before));
    }

    [Test]
    public void Version_IsOneLineOnStandardOutput()
    {
        var r = SealerProcess.Run("--version");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.StdErr, Is.Empty);
        Assert.That(r.StdOut, Does.Match(@"^sealer \d+\.\d+\.\d+\S*\n$"));
    }

    [Test]
    public void EveryOptionThatTakesAValue_ShowsItsValueName_InTheHelpOfEveryVerbThatHasIt(
        [Values("seal", "inspect", "check")] string verb)
    {
        var help = SealerProcess.RunOk(verb, "--help").StdOut;
        var options = OptionsOf(VerbType(verb));
        Assert.That(options, Is.Not.Empty);
        foreach (var (property, option) in options)
        {
            var names = option.ShortName.Length > 0 ? $"-{option.ShortName}, --{option.LongName}" : $"--{option.LongName}";
            if (property.PropertyType == typeof(bool))
            {
                Assert.That(help, Does.Contain(names + " "), $"{verb} --help shows {names}");
                continue;
            }

            Assert.That(option.MetaValue, Is.Not.Null.And.Not.Empty, $"--{option.LongName} has a value name");
            Assert.That(help, Does.Contain($"{names} {option.MetaValue}"), $"{verb} --help shows {names} {option.MetaValue}");
        }

        Assert.That(help, Does.Contain("-a, --add IMAGE").And.Contain("--dir ROOTFS"));
        if (verb == "seal")
        {
            Assert.That(help, Does.Contain("--hostname NAME"));
        }
    }

    [Test]
    public void CheckSealAndInspect_ShareOneParserForTheCommonOptions()
    {
        var common = OptionsOf(typeof(CommonArguments)).Select(o => o.Option.LongName).ToList();
        Assert.That(common, Does.Contain("add").And.Contain("dir").And.Contain("format").And.Contain("json"));
        foreach (var verb in Verbs)
        {
            var type = VerbType(verb);
            Assert.That(type.IsSubclassOf(typeof(CommonArguments)), Is.True, $"{verb} reads the common options");
            Assert.That(
                OptionsOf(type).Select(o => o.Option.LongName).Where(common.Contains).Count(),
                Is.EqualTo(common.Count),
                $"{verb} has every common option and no re-declared one");

            // The same bad common option gives the same one-line error from every verb.
            var r = SealerProcess.Run(verb, "-a", "x.img", "--format", "vmdk");
            Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
            Assert.That(r.StdErr.Trim(), Is.EqualTo("sealer: unknown --format 'vmdk' (raw or qcow2)"));
        }
    }

    [Test]
    public void ListOperations_ListsExactlyTheRegisteredOperations_InTextAndJson()
    {
        var registered = Operations.OperationRegistry.CreateDefault().Operations.Select(o => o.Name).ToList();
        Assert.That(registered, Has.Count.GreaterThan(30));

        var text = SealerProcess.RunOk("seal", "--list-operations").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(text.Select(l => l.Split(' ')[0]), Is.EqualTo(registered));
        var byDefault = Operations.OperationRegistry.CreateDefault().Operations.Where(o => o.EnabledByDefault).Select(o => o.Name);
        Assert.That(text.Where(l => l.Split(' ')[1] == "*").Select(l => l.Split(' ')[0]), Is.EqualTo(byDefault));

        using var doc = System.Text.Json.JsonDocument.Parse(SealerProcess.RunOk("seal", "--list-operations", "--json").StdOut);
        Assert.That(doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()), Is.EqualTo(registered));
    }

    internal static string DemoCopy(TempDirectory temp)
    {
        var copy = temp.File("demo.qcow2");
        File.Copy(Path.Combine(TestImages.RepositoryRoot, "testimages", "demo.qcow2"), copy);
        return copy;
    }

    private static void AssertOneLineUsageError(SealerProcess.Result r)
    {
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), r.ToString());
        Assert.That(lines[0], Does.StartWith("sealer: "));
        Assert.That(r.StdOut, Is.Empty, "a usage error prints nothing on standard output");
    }

    private static Type VerbType(string verb) => verb switch
    {
        "seal" => typeof(SealArguments),
        "inspect" => typeof(InspectArguments),
        "check" => typeof(CheckArguments),
        _ => throw new ArgumentOutOfRangeException(nameof(verb)),
    };

    private static List<(PropertyInfo Property, OptionAttribute Option)> OptionsOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Option: p.GetCustomAttribute<OptionAttribute>()))
            .Where(p => p.Option is not null)
            .Select(p => (p.Property, p.Option!))
            .ToList();
}
