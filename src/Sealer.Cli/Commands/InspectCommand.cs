using Sealer.Cli.Pipeline;
using Sealer.Cli.Reports;

namespace Sealer.Cli.Commands;

/// <summary>`sealer inspect`: what the image holds and who it says it is. Never writes.</summary>
internal static class InspectCommand
{
    public static int Run(InspectArguments options, TextWriter output)
    {
        using var session = GuestOpening.Open(options);
        var report = InspectionReport.Build(session);
        if (options.Json)
        {
            output.WriteLine(JsonOutput.Serialize(report.ToJson()));
        }
        else
        {
            report.WriteText(output);
        }

        return ExitCodes.Success;
    }
}
