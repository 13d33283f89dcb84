namespace Sealer.Cli.Pipeline;

/// <summary>Where the changes of a run go.</summary>
internal enum CommitMode
{
    /// <summary>Nothing is written (dry run, inspect, check).</summary>
    Discard,

    /// <summary>The input image is changed in place through a redo log.</summary>
    InPlace,

    /// <summary>A new thin qcow2 overlay whose backing file is the untouched input.</summary>
    Overlay,

    /// <summary>A new standalone image (raw or qcow2) holding the whole result.</summary>
    Standalone,
}

internal sealed record CommitTarget(CommitMode Mode, string? OutputPath = null, string OutputFormat = "qcow2", bool ReplaceOutput = false);
