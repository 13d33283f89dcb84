using NUnit.Framework;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class OperationSelectionTests
{
    private static readonly OperationRegistry Registry = OperationRegistry.CreateDefault();

    private static List<string> Names(OperationSelection selection) => selection.Resolve(Registry).Select(o => o.Name).ToList();

    [Test]
    public void Defaults_AreTheEnabledByDefaultOperations()
    {
        var expected = Registry.Operations.Where(o => o.EnabledByDefault).Select(o => o.Name).Order(StringComparer.Ordinal);
        Assert.That(Names(OperationSelection.Defaults).Order(StringComparer.Ordinal), Is.EqualTo(expected));
        Assert.That(Names(OperationSelection.Defaults), Does.Not.Contain("user-account").And.Contain("logfiles"));
    }

    [Test]
    public void DefaultsMinusLogfilesPlusUserAccount()
    {
        var names = Names(OperationSelection.Parse("defaults,-logfiles,user-account"));
        Assert.That(names, Does.Not.Contain("logfiles"));
        Assert.That(names, Does.Contain("user-account").And.Contain("machine-id"));
        Assert.That(names, Has.Count.EqualTo(Registry.Defaults.Count()));
    }

    [Test]
    public void TermsApplyLeftToRight()
    {
        Assert.That(Names(OperationSelection.Parse("logfiles,-logfiles")), Is.Empty);
        Assert.That(Names(OperationSelection.Parse("-logfiles,logfiles")), Is.EqualTo(new[] { "logfiles" }));
        Assert.That(Names(OperationSelection.Parse("all,-defaults")).Order(StringComparer.Ordinal),
            Is.EqualTo(Registry.Operations.Where(o => !o.EnabledByDefault).Select(o => o.Name).Order(StringComparer.Ordinal)));
    }

    [Test]
    public void All_SelectsEveryOperationInRunOrder()
    {
        var ops = OperationSelection.Parse(" all ").Resolve(Registry);
        Assert.That(ops, Has.Count.EqualTo(Registry.Operations.Count));
        Assert.That(ops.Select(o => o.Order), Is.Ordered);
    }

    [Test]
    public void UnknownName_FailsWithTheVirtSysprepStyleMessage()
    {
        var e = Assert.Throws<OperationSelectionException>(() => OperationSelection.Parse("defaults,frobnicate").Resolve(Registry));
        Assert.That(e!.Message, Is.EqualTo("unknown operation 'frobnicate' (see --list-operations)"));
        Assert.Throws<OperationSelectionException>(() => OperationSelection.Parse("-nope").Resolve(Registry));
    }

    [Test]
    public void EmptyTerm_IsRejected() =>
        Assert.Throws<OperationSelectionException>(() => OperationSelection.Parse("logfiles,,tmp-files"));

    [Test]
    public void Enable_TakesExactlyTheNamedOperations()
    {
        Assert.That(Names(OperationSelection.ParseEnable("tmp-files,bash-history")), Is.EqualTo(new[] { "bash-history", "tmp-files" }));
        Assert.Throws<OperationSelectionException>(() => OperationSelection.ParseEnable("defaults"));
        Assert.Throws<OperationSelectionException>(() => OperationSelection.ParseEnable("-logfiles"));
    }

    [Test]
    public void OptionsOfUnselectedOperations_AreRejected()
    {
        var withoutUsers = OperationSelection.Defaults.Resolve(Registry);
        var e = Assert.Throws<SealOptionException>(() => SealOptionsValidation.Check(new SealOptions { KeepUserAccounts = ["bob"] }, withoutUsers));
        Assert.That(e!.Message, Is.EqualTo("--keep-user-accounts was given but operation 'user-account' is not enabled"));
        Assert.Throws<SealOptionException>(() => SealOptionsValidation.Check(
            new SealOptions { Hostname = "x" }, OperationSelection.Parse("defaults,-hostname").Resolve(Registry)));
        Assert.Throws<SealOptionException>(() => SealOptionsValidation.Check(new SealOptions { Hostname = "not valid" }, withoutUsers));
        Assert.DoesNotThrow(() => SealOptionsValidation.Check(
            new SealOptions { KeepUserAccounts = ["bob"], Hostname = "web1", MachineId = MachineIdMode.FirstBoot },
            OperationSelection.Parse("defaults,user-account").Resolve(Registry)));
    }
}
