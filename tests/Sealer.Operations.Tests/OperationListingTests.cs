using System.Text.Json;
using NUnit.Framework;

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
}
