using System.Diagnostics;
using NUnit.Framework;

namespace Sealer.Identity.Tests;

/// <summary>Timing figures for the benchmark (run by hand: --filter IdentityBenchmark). Asserts nothing on time.</summary>
[TestFixture]
[Explicit("benchmark: prints figures, run by hand")]
public sealed class IdentityBenchmark
{
    [Test]
    public void Fifty_identities()
    {
        const int Clones = 50;
        Measure("50 x ed25519 only", Clones, [SshKeyType.Ed25519], parallel: false);
        Measure("50 x ed25519+ecdsa (sequential)", Clones, [SshKeyType.Ed25519, SshKeyType.EcdsaNistp256], parallel: false);
        Measure("5 x rsa3072 alone (sequential)", 5, [SshKeyType.Rsa], parallel: false);
        Measure("50 x ed25519+ecdsa+rsa3072 (Parallel.For)", Clones, [SshKeyType.Ed25519, SshKeyType.EcdsaNistp256, SshKeyType.Rsa], parallel: true);
    }

    private static void Measure(string label, int clones, SshKeyType[] types, bool parallel)
    {
        var fingerprints = new string[clones * types.Length];
        var watch = Stopwatch.StartNew();
        void One(int clone)
        {
            _ = MachineId.Generate();
            for (var t = 0; t < types.Length; t++)
            {
                fingerprints[(clone * types.Length) + t] = SshHostKey.Generate(types[t], $"root@clone-{clone}").Fingerprint;
            }
        }

        if (parallel)
        {
            Parallel.For(0, clones, One);
        }
        else
        {
            for (var c = 0; c < clones; c++)
            {
                One(c);
            }
        }

        watch.Stop();
        var line = $"{label}: {watch.Elapsed.TotalSeconds:F2} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB";
        TestContext.Progress.WriteLine(line);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "sealer-identity-bench.txt"), line + "\n");
        Assert.That(fingerprints.Distinct().Count(), Is.EqualTo(fingerprints.Length));
    }
}
