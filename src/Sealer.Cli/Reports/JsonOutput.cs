using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sealer.Cli.Reports;

internal static class JsonOutput
{
    /// <summary>The options of every JSON document the CLI prints (see JsonDocuments.cs): camelCase, enums as
    /// kebab-case strings, every key present (null when unknown), no HTML escaping ("->" stays "->", not "\u003E"),
    /// nullable annotations and constructor parameters respected, so the generated schemas say what is required.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static string Serialize<T>(T document) => JsonSerializer.Serialize(document, Options);
}
