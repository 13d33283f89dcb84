using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;

namespace Sealer.Operations;

public sealed partial class GuestFiles
{
    /// <summary>Largest text file an operation reads or edits; guest files are untrusted and read whole.</summary>
    internal const long MaxTextBytes = 16L * 1024 * 1024;

    // Latin-1 maps every byte to one char and back, so editing a few ASCII lines never alters other bytes
    // (UTF-8 comments, stray invalid sequences) of a guest file.
    private static readonly Encoding TextEncoding = Encoding.Latin1;

    /// <summary>Content of a regular file (or of what a symlink points at, as the guest view resolves it); null when absent.</summary>
    public string? ReadAllText(string path)
    {
        var status = Stat(path);
        if (WarnIfSpecial(path, status) || status is null || status.Value.Kind is not (FileKind.Regular or FileKind.Symlink))
        {
            return null;
        }

        try
        {
            using var stream = _fs.OpenRead(path);
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + read > MaxTextBytes)
                {
                    throw new UnsupportedFeatureException($"guest: {path} is larger than {MaxTextBytes} bytes; refusing to edit it as text");
                }

                buffer.Write(chunk, 0, read);
            }

            return TextEncoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (GuestFileSystemException e) when (IsAbsence(e) || e.Code == FsError.IsADirectory)
        {
            return null;
        }
        catch (GuestFileSystemException e) when (e.Code == FsError.CrossDevice)
        {
            WarnNotCrossed(e);
            return null;
        }
        catch (GuestFileSystemException e) when (status.Value.Kind == FileKind.Symlink && e.Code == FsError.InvalidPath)
        {
            // The link leads to something that is not a regular file (a fifo, a device node): refused before opening.
            Warn($"{path} is a symbolic link to something that is not a regular file: left alone (never opened)");
            return null;
        }
    }

    /// <summary>Writes a whole file (created with <paramref name="mode"/> if new). Nothing happens when the content is
    /// already identical. False (nothing written) when the path is a symlink or a directory: we never write through links.</summary>
    public bool WriteText(string path, string content, UnixFileMode mode)
    {
        var status = Stat(path);
        if (WarnIfSpecial(path, status) || status is { Kind: not FileKind.Regular })
        {
            return false;
        }

        if (status is not null && ReadAllText(path) == content)
        {
            return true;
        }

        var bytes = TextEncoding.GetBytes(content);
        if (!TryChange(path, creates: status is null, () => _fs.WriteFile(path, bytes, mode)))
        {
            return false;
        }

        Record(path, status is null ? SealActionKind.Created : SealActionKind.Rewritten, bytes.Length);
        return true;
    }

    /// <summary>Replaces a regular file's text by <paramref name="rewrite"/>(old text). True when it changed.</summary>
    public bool RewriteText(string path, Func<string, string> rewrite)
    {
        if (WarnIfSpecial(path, Stat(path)) || !IsRegularFile(path))
        {
            return false;
        }

        var old = ReadAllText(path);
        if (old is null)
        {
            return false;
        }

        var updated = rewrite(old);
        if (updated == old)
        {
            return false;
        }

        var status = Stat(path)!.Value;
        var bytes = TextEncoding.GetBytes(updated);
        if (!TryChange(path, creates: false, () => _fs.WriteFile(path, bytes, status.Mode, status.Uid, status.Gid)))
        {
            return false;
        }

        Record(path, SealActionKind.Rewritten, bytes.Length);
        return true;
    }

    /// <summary>Maps each line (without its '\n') through <paramref name="rewrite"/>; null drops the line. True when it changed.</summary>
    public bool RewriteLines(string path, Func<string, string?> rewrite) =>
        RewriteText(path, text => JoinLines(SplitLines(text).Select(rewrite).OfType<string>(), text.EndsWith('\n')));

    /// <summary>Lines of a text without their '\n' (a final newline does not make an empty last line).</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    public static string JoinLines(IEnumerable<string> lines, bool finalNewline)
    {
        var joined = string.Join('\n', lines);
        return finalNewline && joined.Length > 0 ? joined + "\n" : joined;
    }
}
