using Sealer.Core.Errors;
using Sealer.Images.Copy;
using Sealer.Images.Opening;
using Sealer.Images.Qcow2;
using Sealer.Images.Transactions;

namespace Sealer.Cli.Pipeline;

/// <summary>Writes a session's overlay to its destination. The only place where a run's changes leave memory.</summary>
internal static class GuestCommitter
{
    public static void Commit(GuestSession session, CommitTarget target, bool allowBacking, IProgress<double>? progress)
    {
        session.Guest.Root.Flush();
        if (target.Mode == CommitMode.Discard)
        {
            return;
        }

        if (session.DirectoryOverlay is { } directory)
        {
            // --dir: the tree is changed in place, whatever the mode (--output is refused for a tree).
            directory.Apply();
            return;
        }

        if (session.Overlay is null || session.Image is null)
        {
            throw new InvalidOperationException("commit of a session with neither an image nor a directory");
        }

        switch (target.Mode)
        {
            case CommitMode.InPlace:
                CommitInPlace(session, allowBacking);
                break;
            case CommitMode.Overlay:
                WriteNewImage(session, target, path =>
                {
                    Qcow2Creator.CreateOverlay(path, session.Source, session.Image.Format, session.Overlay.Length);
                    using var output = ImageOpener.Open(path, new ImageOpenOptions { Format = "qcow2", Writable = true, AllowBacking = true });
                    session.Overlay.CopyDirtyTo(output.Device);
                    output.Device.Flush();
                });
                break;
            case CommitMode.Standalone:
                WriteNewImage(session, target, path => ImageCopier.Copy(session.Overlay, path, target.OutputFormat, progress));
                break;
            default:
                throw new InvalidOperationException($"unknown commit mode {target.Mode}");
        }
    }

    private static void CommitInPlace(GuestSession session, bool allowBacking)
    {
        if (session.Overlay!.DirtyRanges.Count == 0)
        {
            return;
        }

        session.CloseInputs();

        InPlaceCommit.Commit(session.Source, hostFile =>
        {
            using var image = ImageOpener.Open(hostFile, new ImageOpenOptions { Format = session.Image!.Format, Writable = true, AllowBacking = allowBacking });
            session.Overlay.CopyDirtyTo(image.Device);
            image.Device.Flush();
        });
    }

    /// <summary>Builds the new image under a temporary name in the destination folder and renames it into place,
    /// so a failed or killed run never leaves a half-written output under the requested name.</summary>
    private static void WriteNewImage(GuestSession session, CommitTarget target, Action<string> build)
    {
        var outputPath = target.OutputPath!;
        var fullPath = Path.GetFullPath(outputPath);
        if (session.Image!.Chain.Any(p => SameFile(p, fullPath)))
        {
            throw new UsageException($"--output {outputPath} is the input image or one of its backing files");
        }

        if (File.Exists(fullPath) && !target.ReplaceOutput)
        {
            throw new ImageBusyException($"output already exists: {outputPath} (use --force to replace it)");
        }

        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.sealer-tmp-{Environment.ProcessId}");
        try
        {
            build(temporary);
            File.Move(temporary, fullPath, overwrite: target.ReplaceOutput);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Same path once symlinks are resolved (hard links are not detected).</summary>
    private static bool SameFile(string a, string b) =>
        string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        return info.Exists ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
    }
}
