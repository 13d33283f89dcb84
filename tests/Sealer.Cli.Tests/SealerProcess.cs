using System.Diagnostics;
using NUnit.Framework;

namespace Sealer.Cli.Tests;

/// <summary>Runs the real `sealer` program (the built sealer.dll) as a separate process, as a user would.</summary>
internal static class SealerProcess
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    public static Result Run(params string[] args) => RunWithEnvironment(null, args);

    public static Result RunWithEnvironment(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(TestContext.CurrentContext.TestDirectory, "sealer.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result RunOk(params string[] args)
    {
        var r = Run(args);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        return r;
    }
}
