using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace Sealer.Cli.Reports;

/// <summary>
/// JSON Schemas (draft 2020-12) of the documents the CLI prints, generated from the document types themselves
/// (JsonDocuments.cs) with the serializer options the CLI uses, so a schema cannot describe another shape than the
/// output has. docs/schemas/ holds the published copies; a test keeps them equal to these.
/// </summary>
internal static class JsonSchemas
{
    public static readonly IReadOnlyList<(string FileName, Type Type)> Documents =
    [
        ("seal.schema.json", typeof(SealJson)),
        ("inspect.schema.json", typeof(InspectJson)),
        ("check.schema.json", typeof(CheckJson)),
    ];

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Generate(Type document)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                var description = DescriptionOf(context.PropertyInfo?.AttributeProvider) ?? DescriptionOf(context.TypeInfo.Type);
                if (description is not null && node is JsonObject schema && !schema.ContainsKey("description"))
                {
                    schema.Insert(0, "description", description);
                }

                // A [Flags] enum is written one flag per array item (OsJson.NetworkStacks): list the single flags.
                var type = context.TypeInfo.Type;
                if (type.IsEnum && type.IsDefined(typeof(FlagsAttribute), inherit: false) && node is JsonObject flags)
                {
                    flags["enum"] = new JsonArray([.. Enum.GetValues(type).Cast<Enum>()
                        .Where(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) != 0)
                        .Select(v => (JsonNode)JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()))]);
                    flags.Remove("type");
                }

                return node;
            },
        };
        var generated = JsonSchemaExporter.GetJsonSchemaAsNode(JsonOutput.Options, document, exporter).AsObject();
        var root = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema" };
        foreach (var (name, value) in generated.ToList())
        {
            generated.Remove(name);
            root[name] = value;
        }

        return root.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
    }

    private static string? DescriptionOf(ICustomAttributeProvider? provider) =>
        provider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault()?.Description;
}
