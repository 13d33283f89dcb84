using System.Text.Json;

namespace Sealer.Cli.Tests;

/// <summary>Reads the `seal --json` report the way a pipeline would: as plain JSON.</summary>
internal static class SealReportJson
{
    public sealed record Action(string Operation, string Path, string Kind, long Size);

    public static List<Action> Actions(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var list = new List<Action>();
        foreach (var op in doc.RootElement.GetProperty("operations").EnumerateArray())
        {
            foreach (var a in op.GetProperty("actions").EnumerateArray())
            {
                list.Add(new Action(
                    a.GetProperty("operation").GetString()!,
                    a.GetProperty("path").GetString()!,
                    a.GetProperty("kind").GetString()!,
                    a.GetProperty("size").GetInt64()));
            }
        }

        return list;
    }
}
