using System.Text.Json;
using Sealer.Cli.Reports;
using Sealer.Operations;

namespace Sealer.Cli.Commands;

/// <summary>
/// `sealer check`: a gate for image pipelines. It runs every default operation as a dry run over the in-memory overlay;
/// whatever an operation would still change is something that identifies one machine. Never writes.
/// </summary>
internal static class CheckCommand
{
    // Every change a default seal would make is a finding, a template host name included (it is also in
    // /etc/hosts, /etc/mailname, postfix and Samba): check and a default seal agree on what "sealed" means.
    public static int Run(CheckArguments arguments, TextWriter output)
    {
        var registry = OperationRegistry.CreateDefault();
        using var session = GuestOpening.Open(arguments);
        var report = SealRunner.Run(session.Guest.Root, session.Guest.Info, OperationSelection.Defaults.Resolve(registry), new Operations.SealOptions());
        var findings = report.AllActions.Select(a => new CheckFinding(a.Operation, a.Path, a.Kind.ToString().ToLowerInvariant(), a.Size)).ToList();
        var failures = report.Operations.Where(o => o.Status == OperationStatus.Failed).Select(o => $"{o.Name}: {o.Error}").ToList();
        if (arguments.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new CheckReport(arguments.Image ?? arguments.Directory ?? string.Empty, findings.Count == 0 && failures.Count == 0, findings, failures), JsonOutput.Options));
        }
        else
        {
            foreach (var f in findings)
            {
                output.WriteLine($"identifying: {f.Operation}: {f.Path} (would be {f.WouldBe}, {f.Size} bytes)");
            }

            foreach (var failure in failures)
            {
                output.WriteLine($"error: {failure}");
            }

            output.WriteLine(findings.Count == 0 && failures.Count == 0
                ? "clean: nothing identifies one machine"
                : $"{findings.Count} identifying items found");
        }

        return findings.Count == 0 && failures.Count == 0 ? ExitCodes.Success : ExitCodes.Findings;
    }
}

internal sealed record CheckFinding(string Operation, string Path, string WouldBe, long Size);

internal sealed record CheckReport(string Source, bool Clean, IReadOnlyList<CheckFinding> Findings, IReadOnlyList<string> Errors);
