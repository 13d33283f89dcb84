using System.Text.Json;
using NUnit.Framework;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class OperationListingTests
{
    [Test]
    public void Text_UsesVirtSysprepFormat()
    {
        var registry = OperationRegistry.CreateDefault();
        var lines = OperationListing.ToText(registry).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(registry.Operations.Count));
        Assert.That(lines, Does.Contain("machine-id * Remove the local machine ID"));
        Assert.That(lines, Does.Contain("user-account   Remove the user accounts in the guest"));
        Assert.That(lines[0], Does.StartWith("abrt-data * "));
        Assert.That(lines.Select(l => l.Split(' ')[0]), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public void Json_ListsEveryOperationWithCamelCaseFields()
    {
        var registry = OperationRegistry.CreateDefault();
        using var doc = JsonDocument.Parse(OperationListing.ToJson(registry));
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.That(items, Has.Count.EqualTo(registry.Operations.Count));
        var machineId = items.Single(i => i.GetProperty("name").GetString() == "machine-id");
        Assert.That(machineId.GetProperty("enabledByDefault").GetBoolean(), Is.True);
        Assert.That(machineId.GetProperty("order").GetInt32(), Is.EqualTo(95));
        Assert.That(machineId.GetProperty("heading").GetString(), Is.EqualTo("Remove the local machine ID"));
        Assert.That(machineId.GetProperty("description").GetString(), Does.Contain("/var/lib/dbus/machine-id"));
    }

    /// <summary>docs/operations.md is generated from the registry; regenerate with
    /// SEALER_WRITE_DOCS=1 dotnet test tests/Sealer.Operations.Tests --filter OperationsDoc.</summary>
    [Test]
    public void OperationsDoc_IsTheGeneratedOne()
    {
        var path = Path.Combine(RepositoryPaths.Root, "docs", "operations.md");
        var generated = OperationListing.ToMarkdown(OperationRegistry.CreateDefault());
        if (Environment.GetEnvironmentVariable("SEALER_WRITE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        Assert.That(File.Exists(path), Is.True, "docs/operations.md is missing; regenerate it (SEALER_WRITE_DOCS=1)");
        Assert.That(File.ReadAllText(path), Is.EqualTo(generated),
            "docs/operations.md differs from the registry; regenerate it: SEALER_WRITE_DOCS=1 dotnet test tests/Sealer.Operations.Tests --filter OperationsDoc");
    }

    /// <summary>The README's operation table sits between two markers and is the generated one.</summary>
    [Test]
    public void ReadmeOperationTable_IsTheGeneratedOne()
    {
        const string Begin = "<!-- operations:begin (generated from the registry; OperationListing.ToMarkdownTable) -->\n";
        const string End = "<!-- operations:end -->";
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "README.md lacks the operations:begin marker");
        Assert.That(end, Is.GreaterThan(start), "README.md lacks the operations:end marker after operations:begin");
        var table = readme[(start + Begin.Length)..end];
        Assert.That(table, Is.EqualTo(OperationListing.ToMarkdownTable(OperationRegistry.CreateDefault())),
            "README.md's operation table differs from the registry; paste OperationListing.ToMarkdownTable's output");
    }

    [Test]
    public void Markdown_MarksUnsupportedOperations_AndNoneIsADefault()
    {
        var registry = OperationRegistry.CreateDefault();
        var table = OperationListing.ToMarkdownTable(registry);
        Assert.That(table, Does.Contain("| `lvm-uuids` | not supported |").And.Contain("| `fs-uuids` | not supported |").And.Contain("| `machine-id` | yes |"));
        Assert.That(registry.Defaults.Where(o => o.Unsupported is not null), Is.Empty);
        Assert.That(OperationListing.ToText(registry), Does.Contain("lvm-uuids   Change LVM2 PV and VG UUIDs (needs LVM: not yet supported)\n"));
    }

    [Test]
    public void UnsupportedOperation_SelectedExplicitly_ReportsWhyItDidNothing()
    {
        var registry = OperationRegistry.CreateDefault();
        var guest = new GuestInfo { DistroId = "debian", Family = DistroFamily.Debian, SystemdVersion = 252 };
        var report = SealRunner.Run(new Fakes.InMemoryFileSystem(), guest, OperationSelection.ParseEnable("fs-uuids,lvm-uuids,rpm-db").Resolve(registry), new SealOptions());
        Assert.That(report.Operations.Select(o => (o.Name, o.Status)), Is.All.Matches<(string, OperationStatus)>(o => o.Item2 == OperationStatus.NotApplicable));
        Assert.That(report.ToText(), Does.Contain("fs-uuids (not supported: new file system UUIDs would have to be written into fstab")
            .And.Contain("lvm-uuids (not supported: needs LVM metadata rewriting").And.Contain("rpm-db (not for the Debian family)"));
        Assert.That(SealReport.FromJson(report.ToJson()).Operations.Single(o => o.Name == "lvm-uuids").Reason, Does.StartWith("not supported: needs LVM"));
    }
}
