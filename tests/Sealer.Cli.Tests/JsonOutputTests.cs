using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using NUnit.Framework;
using Sealer.Cli.Reports;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>
/// Issue 7, item 11: `seal`, `inspect` and `check --json` are data, not display text, and each has a published JSON
/// Schema (docs/schemas) that is generated from the document types, checked in, and validated against real output
/// on the demo image and on generated images. Set SEALER_UPDATE_SCHEMAS=1 to rewrite the checked-in copies.
/// </summary>
[TestFixture]
public sealed class JsonOutputTests
{
    private static string SchemaDirectory => Path.Combine(TestImages.RepositoryRoot, "docs", "schemas");

    [Test]
    public void CheckedInSchemas_AreTheOnesGeneratedFromTheDocumentTypes()
    {
        foreach (var (fileName, type) in JsonSchemas.Documents)
        {
            var generated = JsonSchemas.Generate(type);
            var path = Path.Combine(SchemaDirectory, fileName);
            if (Environment.GetEnvironmentVariable("SEALER_UPDATE_SCHEMAS") == "1")
            {
                Directory.CreateDirectory(SchemaDirectory);
                File.WriteAllText(path, generated);
            }

            Assert.That(File.Exists(path), Is.True, $"{path} is published");
            Assert.That(File.ReadAllText(path), Is.EqualTo(generated), $"{fileName} is stale: run the tests with SEALER_UPDATE_SCHEMAS=1");
            using var doc = JsonDocument.Parse(generated);
            Assert.That(doc.RootElement.GetProperty("$schema").GetString(), Does.Contain("2020-12"));
            Assert.That(doc.RootElement.GetProperty("required").GetArrayLength(), Is.GreaterThan(2));
            Assert.That(doc.RootElement.GetProperty("additionalProperties").GetBoolean(), Is.False);
        }
    }

    [Test]
    public void DemoImage_EveryDocumentMatchesItsSchema_AndCarriesData()
    {
        using var temp = new TempDirectory();
        var image = CommandLineTests.DemoCopy(temp);

        var inspect = Validate("inspect", SealerProcess.RunOk("inspect", "-a", image, "--json").StdOut);
        Assert.That(inspect["machineId"]!["state"]!.GetValue<string>(), Is.EqualTo("set"));
        Assert.That(inspect["machineId"]!["value"]!.GetValue<string>(), Does.Match("^[0-9a-f]{32}$"));
        Assert.That(inspect["dbusMachineId"]!["state"]!.GetValue<string>(), Is.EqualTo("symlink"));
        Assert.That(inspect["dbusMachineId"]!["value"]!.GetValue<string>(), Is.EqualTo("/etc/machine-id"));
        Assert.That(inspect["os"]!["networkStacks"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EquivalentTo(new[] { "ifupdown", "networkd" }));
        Assert.That(inspect["cloudInit"]!["state"]!.GetValue<string>(), Is.EqualTo("ran-before"));
        Assert.That(inspect["cloudInit"]!["instances"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "i-123" }));
        Assert.That(inspect["partitions"]!.AsArray().Select(p => p!["fileSystem"]!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "ext4", "ext4" }));

        var dirty = SealerProcess.Run("check", "-a", image, "--json");
        Assert.That(dirty.ExitCode, Is.EqualTo(1), dirty.ToString());
        var check = Validate("check", dirty.StdOut);
        Assert.That(check["clean"]!.GetValue<bool>(), Is.False);
        Assert.That(check["findings"]!.AsArray(), Is.Not.Empty);
        Assert.That(check["findings"]!.AsArray().Select(f => f!["verb"]!.GetValue<string>()), Does.Contain("truncate"));

        var overlay = temp.File("sealed.qcow2");
        var dry = Validate("seal", SealerProcess.RunOk("seal", "-a", image, "--output", overlay, "--dry-run", "--json").StdOut);
        Assert.That(File.Exists(overlay), Is.False, "a dry run writes no output");
        Assert.That(dry["dryRun"]!.GetValue<bool>(), Is.True);
        Assert.That(dry["target"]!["mode"]!.GetValue<string>(), Is.EqualTo("overlay"));
        Assert.That(dry["target"]!["path"]!.GetValue<string>(), Is.EqualTo(overlay));
        Assert.That(dry["source"]!["path"]!.GetValue<string>(), Is.EqualTo(image));
        Assert.That(dry["source"]!["format"]!.GetValue<string>(), Is.EqualTo("qcow2"));
        Assert.That(dry["guest"]!["distro"]!.GetValue<string>(), Is.EqualTo("debian"));
        Assert.That(dry["guest"]!["version"]!.GetValue<string>(), Is.EqualTo("12"));
        Assert.That(dry["guest"]!["family"]!.GetValue<string>(), Is.EqualTo("debian"));
        var machineId = dry["operations"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "machine-id")!["actions"]!.AsArray().Single()!;
        Assert.That(machineId["verb"]!.GetValue<string>(), Is.EqualTo("truncate"));
        Assert.That(machineId["path"]!.GetValue<string>(), Is.EqualTo("/etc/machine-id"));
        Assert.That(machineId["size"]!.GetValue<long>(), Is.EqualTo(33));

        var real = Validate("seal", SealerProcess.RunOk("seal", "-a", image, "--output", overlay, "--json").StdOut);
        Assert.That(real["dryRun"]!.GetValue<bool>(), Is.False);
        Assert.That(ActionsOf(real), Is.EqualTo(ActionsOf(dry)), "the dry run reports what the real run does");
        DiskOracle.QemuImgCheck(overlay);

        var clean = Validate("check", SealerProcess.RunOk("check", "-a", overlay, "--json", "--allow-backing").StdOut);
        Assert.That(clean["clean"]!.GetValue<bool>(), Is.True);
        Validate("inspect", SealerProcess.RunOk("inspect", "-a", overlay, "--json", "--allow-backing").StdOut);
    }

    [TestCase("fedora40-mbr.raw")]
    [TestCase("ubuntu2404-whole.raw")]
    [TestCase("debian12-gpt.qcow2")]
    public void GeneratedImages_EveryDocumentMatchesItsSchema(string name)
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy(name, temp);
        Validate("inspect", SealerProcess.RunOk("inspect", "-a", image, "--json").StdOut);
        Validate("check", SealerProcess.Run("check", "-a", image, "--json").StdOut);
        var sealedJson = Validate("seal", SealerProcess.RunOk("seal", "-a", image, "--json").StdOut);
        Assert.That(sealedJson["target"]!["mode"]!.GetValue<string>(), Is.EqualTo("in-place"));
        Assert.That(sealedJson["target"]!["path"]!.GetValue<string>(), Is.EqualTo(image));
        Validate("check", SealerProcess.RunOk("check", "-a", image, "--json").StdOut);
        if (name.EndsWith(".raw", StringComparison.Ordinal))
        {
            DiskOracle.ExtractFileSystems(image, temp).ToList().ForEach(DiskOracle.E2fsckClean);
        }
        else
        {
            DiskOracle.QemuImgCheck(image);
        }
    }

    [Test]
    public void DirectoryTree_EveryDocumentMatchesItsSchema()
    {
        using var temp = new TempDirectory();
        var tree = temp.File("rootfs");
        ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-guest-tree.sh"), "alpine", tree);

        var inspect = Validate("inspect", SealerProcess.RunOk("inspect", "--dir", tree, "--json").StdOut);
        Assert.That(inspect["source"]!["type"]!.GetValue<string>(), Is.EqualTo("directory"));
        Assert.That(inspect["source"]!["format"], Is.Null);
        Assert.That(inspect["partitions"]!.AsArray(), Is.Empty);
        Assert.That(inspect["os"]!["family"]!.GetValue<string>(), Is.EqualTo("alpine"));
        Validate("check", SealerProcess.Run("check", "--dir", tree, "--json").StdOut);
        var dry = Validate("seal", SealerProcess.RunOk("seal", "--dir", tree, "--dry-run", "--json").StdOut);
        Assert.That(dry["target"]!["mode"]!.GetValue<string>(), Is.EqualTo("in-place"));
        Assert.That(dry["target"]!["path"]!.GetValue<string>(), Is.EqualTo(tree));
    }

    [Test]
    public void Json_IsNotHtmlEscaped()
    {
        using var temp = new TempDirectory();
        var tree = temp.File("rootfs");
        ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-guest-tree.sh"), "debian12", tree);
        const string odd = "a<b>&'c\"d";
        File.WriteAllText(Path.Combine(tree, "tmp", odd), "x");
        var image = DiskBuilder.GptWithOneExt4(temp, tree, 48, "odd");

        var json = SealerProcess.RunOk("seal", "-a", image, "--dry-run", "--json").StdOut;

        Validate("seal", json);
        Assert.That(json, Does.Contain("/tmp/a<b>&'c\\\"d"), "only the JSON quote is escaped");
        Assert.That(json, Does.Not.Contain("\\u003C").And.Not.Contain("\\u003E").And.Not.Contain("\\u0026").And.Not.Contain("\\u0027"));
    }

    [Test]
    public void Schemas_RejectDisplayTextWhereDataBelongs()
    {
        using var temp = new TempDirectory();
        var image = CommandLineTests.DemoCopy(temp);
        var inspect = JsonNode.Parse(SealerProcess.RunOk("inspect", "-a", image, "--json").StdOut)!;
        Assert.That(Evaluate("inspect", inspect).IsValid, Is.True);

        var flattened = inspect.DeepClone();
        flattened["machineId"] = "set (80bf37f5b6d138340be9f855a08eae8a)";
        Assert.That(Evaluate("inspect", flattened).IsValid, Is.False, "machineId is {state, value}, not text");

        var flags = inspect.DeepClone();
        flags["os"]!["networkStacks"] = "Ifupdown, Networkd";
        Assert.That(Evaluate("inspect", flags).IsValid, Is.False, "networkStacks is an array");

        var extra = inspect.DeepClone();
        extra["surprise"] = 1;
        Assert.That(Evaluate("inspect", extra).IsValid, Is.False, "no undocumented keys");

        var missing = inspect.DeepClone();
        missing.AsObject().Remove("source");
        Assert.That(Evaluate("inspect", missing).IsValid, Is.False, "every key is present");
    }

    private static JsonNode Validate(string document, string json)
    {
        var node = JsonNode.Parse(json) ?? throw new AssertionException("null JSON");
        var results = Evaluate(document, node);
        Assert.That(results.IsValid, Is.True, () => $"{document} output does not match docs/schemas/{document}.schema.json:\n"
            + string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}"))
            + "\n" + json);
        return node;
    }

    private static EvaluationResults Evaluate(string document, JsonNode node)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(SchemaDirectory, $"{document}.schema.json")), new BuildOptions());
        using var instance = JsonDocument.Parse(node.ToJsonString());
        return schema.Evaluate(instance.RootElement.Clone(), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static List<string> ActionsOf(JsonNode seal) =>
        seal["operations"]!.AsArray().SelectMany(o => o!["actions"]!.AsArray()).Select(a => a!.ToJsonString()).ToList();
}
