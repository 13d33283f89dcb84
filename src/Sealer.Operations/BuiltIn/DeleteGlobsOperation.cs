namespace Sealer.Operations.BuiltIn;

/// <summary>An operation that removes (rm -rf) every match of a fixed list of shell patterns.</summary>
internal abstract class DeleteGlobsOperation : SealOperationBase
{
    /// <summary>Patterns ('*', '?', '[..]' per component); this list feeds both Perform and Description.</summary>
    protected abstract IReadOnlyList<string> Globs { get; }

    /// <summary>Why the files go (first line of the description).</summary>
    protected abstract string Why { get; }

    public override string Description => $"{Why}\nRemoves every match of (directories with their contents):\n{PathList(Globs)}";

    public override void Perform(SealContext context)
    {
        foreach (var glob in Globs)
        {
            context.Files.DeleteGlob(glob);
        }
    }
}
