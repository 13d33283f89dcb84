using SharpFuzz;
using Sealer.Fuzz;
using Sealer.Fuzz.Targets;

// Sealer.Fuzz TARGET MODE [ARGS]
//   libfuzzer             SharpFuzz libFuzzer mode (run under libfuzzer-dotnet)
//   afl                   SharpFuzz AFL mode (run under afl-fuzz; reads one input from stdin when not under AFL)
//   run FILE|DIR...       replay inputs, print each outcome; exit 1 when any breaks the contract
//   mutate DIR N [SEED]   N deterministic mutants of the seeds in DIR, no instrumentation; findings to ./fuzz-findings
// Sealer.Fuzz list        the targets
// Sealer.Fuzz seeds DIR   seed inputs for every target into DIR/<target>/ (needs qemu-img, sfdisk, mke2fs, debugfs)
if (args.Length == 2 && args[0] == "seeds")
{
    var root = typeof(Seeds).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
    Seeds.Make(root, Path.GetFullPath(args[1]));
    return 0;
}

if (args.Length == 1 && args[0] == "list")
{
    foreach (var t in FuzzTargets.All)
    {
        Console.WriteLine($"{t.Name,-12} {t.Description}");
    }

    return 0;
}

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Sealer.Fuzz TARGET libfuzzer|afl|run FILE...|mutate DIR N [SEED]   (Sealer.Fuzz list: the targets)");
    return 2;
}

var target = FuzzTargets.Get(args[0]);
switch (args[1])
{
    case "libfuzzer":
        Fuzzer.LibFuzzer.Run(span => FuzzTargets.Execute(target, span));
        return 0;
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            FuzzTargets.Execute(target, copy.GetBuffer().AsSpan(0, (int)Math.Min(copy.Length, FuzzTargets.MaxInputLength)));
        });
        return 0;
    case "run":
        var files = args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal).ToArray() : new[] { p }).ToList();
        var broken = 0;
        foreach (var file in files)
        {
            var (refusal, finding) = Campaign.RunOne(target, Seeds.ReadInput(file), Campaign.DefaultTimeout);
            if (finding is not null)
            {
                broken++;
                Console.WriteLine($"FINDING {file}: {finding.Signature}\n{finding.Description}");
            }
            else
            {
                Console.WriteLine(refusal is null ? $"ok      {file}" : $"refused {file}: {refusal.GetType().Name}: {refusal.Message}");
            }
        }

        return broken == 0 ? 0 : 1;
    case "mutate" when args.Length >= 4:
        var seeds = Directory.GetFiles(args[2]).Order(StringComparer.Ordinal).Select(Seeds.ReadInput).ToList();
        var result = Campaign.Run(target, seeds, int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
            args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 1);
        Console.WriteLine(result.Summary);
        Directory.CreateDirectory("fuzz-findings");
        foreach (var finding in result.Findings)
        {
            var path = Path.Combine("fuzz-findings", finding.FileName);
            File.WriteAllBytes(path, finding.Input);
            Console.WriteLine($"FINDING {path}: {finding.Signature}\n{finding.Description}\n");
        }

        return result.Findings.Count == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine($"unknown mode '{args[1]}'");
        return 2;
}
