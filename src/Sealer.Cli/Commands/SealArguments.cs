using CommandLine;

namespace Sealer.Cli.Commands;

[Verb("seal", HelpText = "Reset everything that makes a machine unique, so the image can be a template or be cloned.")]
internal sealed class SealArguments : CommonArguments
{
    [Option('n', "dry-run", HelpText = "Print exactly what would change; write nothing.")]
    public bool DryRun { get; set; }

    [Option("operations", MetaValue = "LIST", HelpText = "Operations to run, e.g. defaults,-logfiles,user-account (also: all).")]
    public string? Operations { get; set; }

    [Option("enable", MetaValue = "LIST", HelpText = "Run exactly these operations.")]
    public string? Enable { get; set; }

    [Option("list-operations", HelpText = "List the operations (name, * when on by default, heading) and exit.")]
    public bool ListOperations { get; set; }

    [Option('o', "output", MetaValue = "PATH", HelpText = "Write the result to a new image instead of changing the input in place.")]
    public string? Output { get; set; }

    [Option("output-format", MetaValue = "FORMAT", HelpText = "Format of --output: qcow2 (default) or raw. raw implies --standalone.")]
    public string? OutputFormat { get; set; }

    [Option("standalone", HelpText = "With --output: a full copy instead of a thin qcow2 overlay over the input.")]
    public bool Standalone { get; set; }

    [Option("force", HelpText = "With --output: replace an existing output file (never the input or its backing files).")]
    public bool Force { get; set; }

    [Option("hostname", MetaValue = "NAME", HelpText = "Hostname to set (default: localhost).")]
    public string? Hostname { get; set; }

    [Option("machine-id", MetaValue = "MODE", HelpText = "empty (default: systemd makes a new ID at boot) or first-boot (write 'uninitialized').")]
    public string? MachineId { get; set; }

    [Option("remove-cloud-init-seed", HelpText = "Also remove /var/lib/cloud/seed (NoCloud seed data); kept by default.")]
    public bool RemoveCloudInitSeed { get; set; }

    [Option("keep-user-accounts", MetaValue = "USERS", HelpText = "user-account: keep these users.")]
    public string? KeepUserAccounts { get; set; }

    [Option("remove-user-accounts", MetaValue = "USERS", HelpText = "user-account: remove only these users.")]
    public string? RemoveUserAccounts { get; set; }

    [Option("no-progress", HelpText = "No progress bar.")]
    public bool NoProgress { get; set; }

    /// <summary>A comma-separated option value as a list ("a,b" -> [a, b]; absent -> empty). The list options take one
    /// word each, so a following stray word is never swallowed into the list.</summary>
    public static IReadOnlyList<string> SplitList(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
