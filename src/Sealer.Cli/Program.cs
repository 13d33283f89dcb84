using CommandLine;
using Sealer.Cli.Commands;
using Sealer.Core.Errors;

namespace Sealer.Cli;

/// <summary>Composition root: parses arguments, runs one verb, maps errors to documented exit codes.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var parser = new Parser(settings =>
        {
            settings.HelpWriter = Console.Error;
            settings.CaseInsensitiveEnumValues = true;
        });
        var verbose = args.Contains("-v") || args.Contains("--verbose");
        var result = parser.ParseArguments<SealArguments, InspectArguments, CheckArguments>(args);
        return result.MapResult(
            (SealArguments o) => Run(() => SealCommand.Run(o, Console.Out), verbose),
            (InspectArguments o) => Run(() => InspectCommand.Run(o, Console.Out), verbose),
            (CheckArguments o) => Run(() => CheckCommand.Run(o, Console.Out), verbose),
            errors => errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.VersionRequestedError or ErrorType.HelpVerbRequestedError)
                ? ExitCodes.Success
                : ExitCodes.Usage);
    }

    private static int Run(Func<int> command, bool verbose)
    {
        try
        {
            return command();
        }
        catch (Exception e)
        {
            var code = ExitCodes.ForException(e);
            var prefix = code == ExitCodes.InternalError ? "internal error: " : string.Empty;
            Console.Error.WriteLine($"sealer: {prefix}{e.Message}");
            if (verbose)
            {
                Console.Error.WriteLine(e);
            }

            return code;
        }
    }
}
