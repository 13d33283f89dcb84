using Sealer.Cli.Pipeline;
using Sealer.Cli.Reports;
using Sealer.Operations;

namespace Sealer.Cli.Commands;

/// <summary>`sealer seal`: run the selected operations and commit the result (in place, overlay or copy).</summary>
internal static class SealCommand
{
    public static int Run(SealArguments arguments, TextWriter output)
    {
        var registry = OperationRegistry.CreateDefault();
        if (arguments.ListOperations)
        {
            output.Write(arguments.Json ? OperationListing.ToJson(registry) + "\n" : OperationListing.ToText(registry));
            return ExitCodes.Success;
        }

        var operations = SelectOperations(arguments, registry);
        var options = new Operations.SealOptions
        {
            Hostname = arguments.Hostname,
            MachineId = ParseMachineIdMode(arguments.MachineId),
            KeepCloudInitSeed = !arguments.RemoveCloudInitSeed,
            KeepUserAccounts = [.. SealArguments.SplitList(arguments.KeepUserAccounts)],
            RemoveUserAccounts = [.. SealArguments.SplitList(arguments.RemoveUserAccounts)],
        };
        SealOptionsValidation.Check(options, operations);
        // A dry run reports the target a real run would write, and writes nothing.
        var intended = ChooseTarget(arguments);
        var target = arguments.DryRun ? new CommitTarget(CommitMode.Discard) : intended;

        using var session = GuestOpening.Open(arguments, completePendingLog: target.Mode == CommitMode.InPlace);
        var report = SealRunner.Run(session.Guest.Root, session.Guest.Info, operations, options, time: SealerClock.FromEnvironment());
        if (report.Succeeded)
        {
            var progress = arguments.NoProgress || arguments.Json || Console.IsErrorRedirected ? null : new ConsoleProgress("copying");
            GuestCommitter.Commit(session, target, arguments.AllowBacking, progress);
            progress?.Done();
        }

        if (arguments.Json)
        {
            output.WriteLine(JsonOutput.Serialize(SealJson.From(report, arguments.DryRun, session, intended)));
        }
        else
        {
            WriteText(output, arguments, target, report);
        }

        return report.Succeeded ? ExitCodes.Success : ExitCodes.OperationFailed;
    }

    private static void WriteText(TextWriter output, SealArguments arguments, CommitTarget target, SealReport report)
    {
        if (arguments.DryRun)
        {
            output.WriteLine("DRY RUN: no changes written");
        }

        output.Write(report.ToText(arguments.DryRun));
        if (!report.Succeeded)
        {
            output.WriteLine("nothing was written");
            return;
        }

        var where = target.Mode switch
        {
            CommitMode.InPlace => $"sealed in place: {arguments.Image ?? arguments.Directory}",
            CommitMode.Overlay => $"sealed into a thin qcow2 overlay: {target.OutputPath} (backing file: {arguments.Image})",
            CommitMode.Standalone => $"sealed into a standalone {target.OutputFormat} image: {target.OutputPath}",
            _ => null,
        };
        if (where is not null)
        {
            output.WriteLine(where);
        }
    }

    private static IReadOnlyList<ISealOperation> SelectOperations(SealArguments arguments, OperationRegistry registry)
    {
        var enable = string.Join(',', SealArguments.SplitList(arguments.Enable));
        var operations = string.Join(',', SealArguments.SplitList(arguments.Operations));
        if (enable.Length > 0 && operations.Length > 0)
        {
            throw new UsageException("--enable and --operations cannot be combined");
        }

        try
        {
            var selection = enable.Length > 0
                ? OperationSelection.ParseEnable(enable)
                : operations.Length > 0 ? OperationSelection.Parse(operations) : OperationSelection.Defaults;
            return selection.Resolve(registry);
        }
        catch (OperationSelectionException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static MachineIdMode ParseMachineIdMode(string? value) => value switch
    {
        null or "empty" => MachineIdMode.Empty,
        "first-boot" => MachineIdMode.FirstBoot,
        _ => throw new UsageException($"unknown --machine-id '{value}' (empty or first-boot)"),
    };

    private static CommitTarget ChooseTarget(SealArguments arguments)
    {
        var format = arguments.OutputFormat ?? "qcow2";
        if (format is not "qcow2" and not "raw")
        {
            throw new UsageException($"unknown --output-format '{format}' (qcow2 or raw)");
        }

        if (arguments.Output is null)
        {
            if (arguments.OutputFormat is not null || arguments.Standalone)
            {
                throw new UsageException("--output-format and --standalone need --output");
            }

            return new CommitTarget(CommitMode.InPlace);
        }

        if (arguments.Directory is not null)
        {
            throw new UsageException("--output works with -a IMAGE; a --dir tree is changed in place");
        }

        return arguments.Standalone || format == "raw"
            ? new CommitTarget(CommitMode.Standalone, arguments.Output, format, arguments.Force)
            : new CommitTarget(CommitMode.Overlay, arguments.Output, ReplaceOutput: arguments.Force);
    }
}
