namespace Sealer.Bench;

internal static class Program
{
    /// <summary>Usage: Sealer.Bench [--open-only] [work-dir]. The folder needs about 2.2 GiB free; qemu-img must be
    /// installed. --open-only measures just the 1 TiB open figures (no 1 GiB read test).</summary>
    public static int Main(string[] args)
    {
        var openOnly = args.Length > 0 && args[0] == "--open-only";
        args = openOnly ? args[1..] : args;
        var workDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"sealer-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(workDir);
        try
        {
            if (openOnly)
            {
                Qcow2Bench.MeasureLargeOpen(workDir);
            }
            else
            {
                Qcow2Bench.Run(workDir);
            }

            return 0;
        }
        finally
        {
            if (args.Length == 0)
            {
                Directory.Delete(workDir, recursive: true);
            }
        }
    }
}
