namespace Sealer.Bench;

internal static class Program
{
    /// <summary>Usage: Sealer.Bench [work-dir]. The folder needs about 2.2 GiB free; qemu-img must be installed.</summary>
    public static int Main(string[] args)
    {
        var workDir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), $"sealer-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(workDir);
        try
        {
            Qcow2Bench.Run(workDir);
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
