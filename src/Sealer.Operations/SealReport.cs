using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sealer.Operations;

/// <summary>The result of a seal run: per operation, in run order. <see cref="Succeeded"/> is false when an operation
/// failed; the caller must then not commit anything.</summary>
public sealed record SealReport(DateTimeOffset StartedAt, DateTimeOffset FinishedAt, IReadOnlyList<OperationResult> Operations)
{
    public bool Succeeded => Operations.All(o => o.Status != OperationStatus.Failed);

    [JsonIgnore]
    public IEnumerable<SealAction> AllActions => Operations.SelectMany(o => o.Actions);

    /// <summary>camelCase JSON, enums as kebab-case strings.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, SealJsonContext.Default.SealReport);

    public static SealReport FromJson(string json) =>
        JsonSerializer.Deserialize(json, SealJsonContext.Default.SealReport)
        ?? throw new JsonException("seal report: JSON is null");

    /// <summary>One line per action (<c>operation: verb path (size)</c>, see <see cref="SealActionWords"/>), warning and
    /// failure, then a summary line. A dry run says the same in the conditional ("would delete").</summary>
    public string ToText(bool dryRun = false)
    {
        var text = new StringBuilder();
        foreach (var op in Operations)
        {
            foreach (var action in op.Actions)
            {
                text.Append(SealActionWords.Line(action, dryRun)).Append('\n');
            }

            foreach (var warning in op.Warnings)
            {
                text.Append(CultureInfo.InvariantCulture, $"{op.Name}: warning: {warning}\n");
            }

            if (op.Status == OperationStatus.Failed)
            {
                text.Append(CultureInfo.InvariantCulture, $"{op.Name}: FAILED: {op.Error}\n");
            }
        }

        var applied = Operations.Count(o => o.Status == OperationStatus.Applied);
        var notApplicable = Operations.Where(o => o.Status == OperationStatus.NotApplicable)
            .Select(o => o.Reason is null ? o.Name : $"{o.Name} ({o.Reason})").ToList();
        var changes = AllActions.Count();
        if (dryRun)
        {
            text.Append(CultureInfo.InvariantCulture, $"{applied} operations would apply {changes} changes");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"{applied} operations applied, {changes} changes");
        }

        if (notApplicable.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; not applicable: {string.Join(", ", notApplicable)}");
        }

        var notRun = Operations.Count(o => o.Status == OperationStatus.NotRun);
        if (notRun > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {notRun} not run after the failure");
        }

        return text.Append('\n').ToString();
    }

    /// <summary>The kind's stable JSON name ("deleted-tree"); people read <see cref="SealActionWords.Verb"/>.</summary>
    internal static string KindWord(SealActionKind kind) => kind switch
    {
        SealActionKind.Deleted => "deleted",
        SealActionKind.Truncated => "truncated",
        SealActionKind.Rewritten => "rewritten",
        SealActionKind.Created => "created",
        SealActionKind.DeletedTree => "deleted-tree",
        SealActionKind.SymlinkCreated => "symlink-created",
        SealActionKind.DirectoryCreated => "directory-created",
        _ => kind.ToString(),
    };
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(SealReport))]
[JsonSerializable(typeof(List<OperationDescription>))]
internal sealed partial class SealJsonContext : JsonSerializerContext;
