using System.Diagnostics;
using System.Security.Cryptography;
using Sealer.Fuzz.Mutation;
using Sealer.Fuzz.Targets;

namespace Sealer.Fuzz;

/// <summary>One input that broke a target's contract: the exception (or hang, or memory blow-up) and the input.</summary>
public sealed record Finding(string Target, string Signature, string Description, byte[] Input)
{
    /// <summary>A stable file name for the input: target-sha256 prefix.</summary>
    public string FileName => $"{Target}-{Convert.ToHexStringLower(SHA256.HashData(Input))[..16]}.bin";
}

/// <summary>What a bounded campaign did: executions, how they ended, how long it took, what broke.</summary>
public sealed record CampaignResult(string Target, int Executions, int Succeeded, IReadOnlyDictionary<string, int> Refusals,
    TimeSpan Elapsed, IReadOnlyList<Finding> Findings)
{
    public string Summary =>
        $"{Target}: {Executions} executions in {Elapsed.TotalSeconds:F1} s, {Succeeded} ok, "
        + string.Join(", ", Refusals.OrderByDescending(r => r.Value).Select(r => $"{r.Value} {r.Key}"))
        + $"; {Findings.Count} distinct findings";
}

/// <summary>
/// Runs a target over inputs without instrumentation: each input on its own thread with a watchdog (a hang is a
/// finding, the thread is abandoned) and a budget on what it allocates. Used by the CI tests and by `mutate`.
/// </summary>
public static class Campaign
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What one input may allocate in total (all its garbage included).</summary>
    public const long AllocationBudget = 1L << 30;

    /// <summary>Runs every seed once, then <paramref name="iterations"/> mutants of them (round robin, fixed seed).</summary>
    public static CampaignResult Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int iterations, int randomSeed,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(seeds);
        var knowledge = seeds.Select(s => FormatKnowledge.For(target.Format, s)).ToList();
        var mutator = new Mutator(randomSeed);
        var inputs = seeds.Concat(Enumerable.Range(0, iterations).Select(i => mutator.Mutate(seeds[i % seeds.Count], knowledge[i % seeds.Count])));
        return RunInputs(target, inputs, timeout);
    }

    /// <summary>Runs the given inputs (a corpus) once each.</summary>
    public static CampaignResult RunInputs(FuzzTarget target, IEnumerable<byte[]> inputs, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(inputs);
        var clock = Stopwatch.StartNew();
        var findings = new Dictionary<string, Finding>();
        var refusals = new Dictionary<string, int>();
        var executions = 0;
        var succeeded = 0;
        foreach (var input in inputs)
        {
            executions++;
            var outcome = RunOne(target, input, timeout ?? DefaultTimeout);
            switch (outcome)
            {
                case { Finding: { } finding }:
                    findings.TryAdd(finding.Signature, finding);
                    break;
                case { Refusal: null }:
                    succeeded++;
                    break;
                case { Refusal: { } refusal }:
                    var name = refusal.GetType().Name;
                    refusals[name] = refusals.GetValueOrDefault(name) + 1;
                    break;
            }

            if (findings.Count >= 20)
            {
                break;
            }
        }

        return new CampaignResult(target.Name, executions, succeeded, refusals, clock.Elapsed, [.. findings.Values]);
    }

    /// <summary>One input under the watchdog: a documented refusal, success, or a finding.</summary>
    public static (Exception? Refusal, Finding? Finding) RunOne(FuzzTarget target, byte[] input, TimeSpan timeout,
        long allocationBudget = AllocationBudget)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(input);
        Exception? refusal = null;
        Exception? crash = null;
        long allocated = 0;
        var worker = new Thread(
            () =>
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    refusal = FuzzTargets.Execute(target, input);
                }
                catch (Exception e)
                {
                    crash = e;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            maxStackSize: 16 << 20)
        { IsBackground = true, Name = $"fuzz {target.Name}" };
        worker.Start();
        if (!worker.Join(timeout))
        {
            return (null, new Finding(target.Name, "hang", $"no result after {timeout.TotalSeconds:F0} s", input));
        }

        if (crash is not null)
        {
            return (null, new Finding(target.Name, Signature(crash), Describe(crash), input));
        }

        if (allocated > allocationBudget)
        {
            return (null, new Finding(target.Name, "memory", $"allocated {allocated >> 20} MiB for a {input.Length}-byte input", input));
        }

        return (refusal, null);
    }

    /// <summary>Exception type and the first Sealer frame: one signature per distinct bug, not per input.</summary>
    public static string Signature(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var frame = new StackTrace(e, fNeedFileInfo: false).GetFrames()
            .Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType?.FullName?.StartsWith("Sealer.", StringComparison.Ordinal) == true
                && m.DeclaringType.FullName?.StartsWith("Sealer.Fuzz", StringComparison.Ordinal) != true);
        var where = frame is null ? "(no Sealer frame)" : $"{frame.DeclaringType!.FullName}.{frame.Name}";
        return e is ContractViolationException ? $"contract: {e.Message.Split(':')[0]} in {where}" : $"{e.GetType().Name} in {where}";
    }

    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var lines = e.ToString().Split('\n');
        return string.Join('\n', lines.Take(14));
    }
}
