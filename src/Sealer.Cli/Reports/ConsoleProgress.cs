namespace Sealer.Cli.Reports;

/// <summary>A one-line progress bar on standard error for long steps (a standalone copy).</summary>
internal sealed class ConsoleProgress(string label) : IProgress<double>
{
    private int _lastPercent = -1;

    public void Report(double value)
    {
        var percent = (int)Math.Clamp(value * 100, 0, 100);
        if (percent == _lastPercent)
        {
            return;
        }

        _lastPercent = percent;
        var filled = percent / 5;
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', 20 - filled)}] {percent,3}%");
    }

    public void Done()
    {
        if (_lastPercent >= 0)
        {
            Console.Error.WriteLine();
        }
    }
}
