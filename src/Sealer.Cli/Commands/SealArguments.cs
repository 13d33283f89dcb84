using CommandLine;

namespace Sealer.Cli.Commands;

[Verb("seal", isDefault: true, HelpText = "Reset everything that makes a machine unique, so the image can be a template or be cloned.")]
internal sealed class SealArguments : CommonArguments
{
    [Option('n', "dry-run", HelpText = "Print exactly what would change; write nothing.")]
    public bool DryRun { get; set; }

    [Option("operations", Separator = ',', HelpText = "Operations to run, e.g. defaults,-logfiles,user-account (also: all).")]
    public IEnumerable<string> Operations { get; set; } = [];

    [Option("enable", Separator = ',', HelpText = "Run exactly these operations.")]
    public IEnumerable<string> Enable { get; set; } = [];

    [Option("list-operations", HelpText = "List the operations (name, * when on by default, heading) and exit.")]
    public bool ListOperations { get; set; }

    [Option('o', "output", HelpText = "Write the result to a new image instead of changing the input in place.")]
    public string? Output { get; set; }

    [Option("output-format", HelpText = "Format of --output: qcow2 (default) or raw. raw implies --standalone.")]
    public string? OutputFormat { get; set; }

    [Option("standalone", HelpText = "With --output: a full copy instead of a thin qcow2 overlay over the input.")]
    public bool Standalone { get; set; }

    [Option("force", HelpText = "With --output: replace an existing output file (never the input or its backing files).")]
    public bool Force { get; set; }

    [Option("hostname", HelpText = "Hostname to set (default: localhost).")]
    public string? Hostname { get; set; }

    [Option("machine-id", HelpText = "empty (default: systemd makes a new ID at boot) or first-boot (write 'uninitialized').")]
    public string? MachineId { get; set; }

    [Option("remove-cloud-init-seed", HelpText = "Also remove /var/lib/cloud/seed (NoCloud seed data); kept by default.")]
    public bool RemoveCloudInitSeed { get; set; }

    [Option("keep-user-accounts", Separator = ',', HelpText = "user-account: keep these users.")]
    public IEnumerable<string> KeepUserAccounts { get; set; } = [];

    [Option("remove-user-accounts", Separator = ',', HelpText = "user-account: remove only these users.")]
    public IEnumerable<string> RemoveUserAccounts { get; set; } = [];

    [Option("no-progress", HelpText = "No progress bar.")]
    public bool NoProgress { get; set; }
}
