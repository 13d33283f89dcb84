using Sealer.Cli.Commands;

namespace Sealer.Cli;

/// <summary>Composition root: reads the command line, runs one verb, maps errors to documented exit codes.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var verbose = args.Contains("-v") || args.Contains("--verbose");
        return Run(() => VerbDispatcher.Run(args, Console.Out), verbose);
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
