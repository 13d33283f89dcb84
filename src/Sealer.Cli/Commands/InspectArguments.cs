using CommandLine;

namespace Sealer.Cli.Commands;

[Verb("inspect", HelpText = "Show partitions, file systems, OS, hostname, machine-id, SSH host key fingerprints and cloud-init state. Never writes.")]
internal sealed class InspectArguments : CommonArguments
{
}
