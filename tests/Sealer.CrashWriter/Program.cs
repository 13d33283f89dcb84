using System.Diagnostics;
using System.Globalization;
using Sealer.CrashWriter;
using Sealer.Images.Transactions;

// Usage: Sealer.CrashWriter IMAGE KILL_AT_STEP [raw|qcow2]
// Commits CrashScenario's writes to IMAGE in place and SIGKILLs itself just before step KILL_AT_STEP (0-based) of the
// commit; -1 never kills. Each step is printed as "step N NAME" before it runs, and "done" after a full commit.
if (args.Length is not (2 or 3))
{
    Console.Error.WriteLine("usage: Sealer.CrashWriter IMAGE KILL_AT_STEP [raw|qcow2]");
    return 2;
}

var killAt = int.Parse(args[1], CultureInfo.InvariantCulture);
var step = 0;
var hooks = new CommitHooks
{
    BeforeStep = s =>
    {
        Console.Out.WriteLine($"step {step} {s}");
        Console.Out.Flush();
        if (step++ == killAt)
        {
            Process.GetCurrentProcess().Kill();
        }
    },
};

Action<Sealer.Images.Host.IHostFile> changes = args.Length == 3 && args[2] == "qcow2"
    ? CrashScenario.WriteQcow2Changes
    : CrashScenario.WriteChanges;
InPlaceCommit.Commit(args[0], changes, hooks);
Console.Out.WriteLine("done");
return 0;
