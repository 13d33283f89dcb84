using Sealer.Guest.Inspection;

namespace Sealer.Operations;

/// <summary>Everything one operation receives. Built by <see cref="SealRunner"/> once per operation.</summary>
public sealed class SealContext
{
    private readonly List<string> _warnings = [];

    public SealContext(GuestFiles files, GuestInfo guest, SealOptions options, Random? random = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(options);
        Files = files;
        Guest = guest;
        Options = options;
        Random = random ?? Random.Shared;
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The guest root, through the recording facade (every change becomes a <see cref="SealAction"/>).</summary>
    public GuestFiles Files { get; }

    public GuestInfo Guest { get; }

    public SealOptions Options { get; }

    /// <summary>Random source for operations that need one; tests pass a seeded instance. No built-in operation writes
    /// random identity into the guest: a template must carry none, the clone's first boot makes it.</summary>
    public Random Random { get; }

    /// <summary>Clock for operations that stamp times (tests pass a fixed one).</summary>
    public TimeProvider Time { get; }

    /// <summary>Warnings recorded so far by this operation.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Records a one-line warning shown to the user in the report.</summary>
    public void Warn(string message) => _warnings.Add(message);
}
