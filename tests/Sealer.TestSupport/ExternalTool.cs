using System.Diagnostics;
using NUnit.Framework;

namespace Sealer.TestSupport;

/// <summary>Runs the external oracles (qemu-img, e2fsck, debugfs, sfdisk, mke2fs...) from tests.</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\n{StdOut}\n{StdErr}";
    }

    /// <summary>Runs a tool and returns its exit code and output. Standard input is <paramref name="stdin"/> or empty.</summary>
    public static Result Run(string tool, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(Resolve(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
        }

        p.StandardInput.Close();
        p.WaitForExit();
        return new Result(p.ExitCode, stdoutTask.Result, stderrTask.Result);
    }

    public static Result Run(string tool, params string[] args) => Run(tool, (IEnumerable<string>)args);

    /// <summary>Runs a tool and fails the test unless it exits 0.</summary>
    public static string Check(string tool, params string[] args)
    {
        var r = Run(tool, args);
        Assert.That(r.ExitCode, Is.Zero, $"{tool} {string.Join(' ', args)} failed: {r}");
        return r.StdOut;
    }

    /// <summary>Skips (locally) when a tool is missing; CI installs every tool, so there it always runs.</summary>
    public static void Require(string tool)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.That(Exists(tool), Is.True, $"{tool} must be installed in CI");
        }

        Assume.That(Exists(tool), Is.True, $"{tool} is not installed");
    }

    public static bool Exists(string tool) => File.Exists(Resolve(tool));

    private static string Resolve(string tool)
    {
        if (tool.Contains('/', StringComparison.Ordinal))
        {
            return tool;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return tool;
    }
}
