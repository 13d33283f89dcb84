using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>Calls each candidate's opener at most once and disposes what nobody took.</summary>
internal sealed class CandidateOpeners(List<string> warnings)
{
    private readonly Dictionary<CandidateFileSystem, IFileSystem?> opened = new(ReferenceEqualityComparer.Instance);

    public List<string> Failures { get; } = [];

    /// <summary>The exceptions behind <see cref="Failures"/>, kept so their type (invalid vs unsupported) can reach the user.</summary>
    public List<SealerException> FailureExceptions { get; } = [];

    /// <summary>The opened file system, or null when opening failed (recorded as a warning unless <paramref name="propagate"/>).</summary>
    public IFileSystem? Open(CandidateFileSystem candidate, bool propagate)
    {
        if (opened.TryGetValue(candidate, out var existing))
        {
            return existing;
        }

        try
        {
            var fileSystem = candidate.Open();
            opened[candidate] = fileSystem;
            return fileSystem;
        }
        catch (SealerException e) when (!propagate)
        {
            opened[candidate] = null;
            var message = $"{candidate.DeviceName}: cannot open: {e.Message}";
            Failures.Add(message);
            FailureExceptions.Add(e);
            warnings.Add(message);
            return null;
        }
    }

    /// <summary>Hands ownership of an opened file system to the caller.</summary>
    public IFileSystem Take(CandidateFileSystem candidate)
    {
        var fileSystem = opened.GetValueOrDefault(candidate) ?? throw new InvalidOperationException($"{candidate.DeviceName} is not open");
        opened[candidate] = null;
        return fileSystem;
    }

    public void DisposeUnused()
    {
        foreach (var fileSystem in opened.Values)
        {
            fileSystem?.Dispose();
        }

        foreach (var key in opened.Keys.ToList())
        {
            opened[key] = null;
        }
    }
}
