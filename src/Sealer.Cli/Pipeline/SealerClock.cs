using System.Globalization;

namespace Sealer.Cli.Pipeline;

/// <summary>
/// The time stamped into changed inodes and reports. SOURCE_DATE_EPOCH (the reproducible-builds convention) fixes it,
/// so an image pipeline that seals the same input twice gets byte-identical output.
/// </summary>
internal sealed class SealerClock(DateTimeOffset fixedTime) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => fixedTime;

    public static TimeProvider FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(value))
        {
            return System;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
        {
            throw new UsageException($"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not '{value}'");
        }

        return new SealerClock(DateTimeOffset.FromUnixTimeSeconds(seconds));
    }
}
