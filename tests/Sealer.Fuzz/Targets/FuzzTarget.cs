namespace Sealer.Fuzz.Targets;

/// <summary>The body of a fuzz target: returns normally or throws a documented error; anything else is a finding.</summary>
public delegate void FuzzBody(ReadOnlySpan<byte> input);

/// <summary>One fuzz target: a name for the command line, what it exercises, and which format its inputs are.</summary>
public sealed record FuzzTarget(string Name, string Description, InputFormat Format, FuzzBody Body);

/// <summary>What an input is; the mutator uses it to find header fields and fix checksums.</summary>
public enum InputFormat
{
    Qcow2,
    Disk,
    Ext4,
    Ext4WithJournal,
}
