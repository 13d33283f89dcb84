using CommandLine;

namespace Sealer.Cli.Commands;

[Verb("check", HelpText = "List everything that still identifies one machine; exit 1 if anything does. Never writes.")]
internal sealed class CheckArguments : CommonArguments
{
}
