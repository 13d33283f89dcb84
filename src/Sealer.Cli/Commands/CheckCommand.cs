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
        var findings = report.AllActions.ToList();
        var failures = report.Operations.Where(o => o.Status == OperationStatus.Failed).Select(o => new CheckErrorJson(o.Name, o.Error ?? "failed")).ToList();
        if (arguments.Json)
        {
            output.WriteLine(JsonOutput.Serialize(new CheckJson(
                findings.Count == 0 && failures.Count == 0,
                SourceJson.From(session),
                GuestJson.From(session.Guest.Info),
                [.. findings.Select(ActionJson.From)],
                failures)));
        }
        else
        {
            // The same words as `seal --dry-run` (SealActionWords): "identifying: machine-id: would truncate ...".
            foreach (var finding in findings)
            {
                output.WriteLine($"identifying: {SealActionWords.Line(finding, dryRun: true)}");
            }

            foreach (var failure in failures)
            {
                output.WriteLine($"error: {failure.Operation}: {failure.Error}");
            }

            output.WriteLine(findings.Count == 0 && failures.Count == 0
                ? "clean: nothing identifies one machine"
                : $"{findings.Count} identifying items found");
        }

        return findings.Count == 0 && failures.Count == 0 ? ExitCodes.Success : ExitCodes.Findings;
    }
}
