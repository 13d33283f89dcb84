using System.Security.Cryptography;
using System.Text;
using Sealer.Core.FileSystems;

namespace Sealer.Cli.Reports;

/// <summary>Facts about a guest's identity that inspect prints: machine-id state, SSH host key fingerprints, cloud-init.</summary>
internal sealed record IdentityFacts(
    string MachineIdState,
    string? DbusMachineIdState,
    IReadOnlyList<HostKeyFingerprint> HostKeys,
    string CloudInitState)
{
    private const int MaxSmallFile = 64 * 1024;

    public static IdentityFacts Read(IFileSystem root) => new(
        DescribeMachineId(root, "/etc/machine-id"),
        root.TryStat("/var/lib/dbus/machine-id") is null ? null : DescribeMachineId(root, "/var/lib/dbus/machine-id"),
        ReadHostKeys(root),
        DescribeCloudInit(root));

    /// <summary>"missing", "empty (new ID at boot)", "uninitialized (first boot)", "symlink -> X" or "set (ID)".</summary>
    private static string DescribeMachineId(IFileSystem root, string path)
    {
        var status = root.TryStat(path);
        if (status is null)
        {
            return "missing";
        }

        if (status.Value.Kind == FileKind.Symlink)
        {
            return $"symlink -> {root.ReadLink(path)}";
        }

        if (status.Value.Kind != FileKind.Regular)
        {
            return $"not a regular file ({status.Value.Kind})";
        }

        var text = ReadSmallText(root, path).Trim();
        return text.Length switch
        {
            0 => "empty (systemd makes a new ID at boot)",
            _ when text == "uninitialized" => "uninitialized (first boot)",
            _ => $"set ({text})",
        };
    }

    private static List<HostKeyFingerprint> ReadHostKeys(IFileSystem root)
    {
        var keys = new List<HostKeyFingerprint>();
        if (root.TryStat("/etc/ssh") is not { Kind: FileKind.Directory })
        {
            return keys;
        }

        foreach (var entry in root.ReadDirectory("/etc/ssh").OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!entry.Name.StartsWith("ssh_host_", StringComparison.Ordinal) || !entry.Name.EndsWith("_key.pub", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/etc/ssh/" + entry.Name;
            if (root.TryStat(path) is not { Kind: FileKind.Regular })
            {
                continue;
            }

            keys.Add(HostKeyFingerprint.FromPublicKeyLine(path, ReadSmallText(root, path)));
        }

        return keys;
    }

    private static string DescribeCloudInit(IFileSystem root)
    {
        var installed = root.TryStat("/usr/bin/cloud-init") is not null || root.TryStat("/etc/cloud/cloud.cfg") is not null;
        if (!installed)
        {
            return "not installed";
        }

        if (root.TryStat("/var/lib/cloud/instances") is { Kind: FileKind.Directory })
        {
            var instances = root.ReadDirectory("/var/lib/cloud/instances").Select(e => e.Name).ToList();
            if (instances.Count > 0)
            {
                return $"ran before (instances: {string.Join(", ", instances)})";
            }
        }

        return root.TryStat("/var/lib/cloud/instance") is not null ? "ran before" : "clean (runs at next boot)";
    }

    internal static string ReadSmallText(IFileSystem root, string path)
    {
        using var stream = root.OpenRead(path);
        var buffer = new byte[MaxSmallFile];
        var total = 0;
        int n;
        while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0)
        {
            total += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}

/// <summary>An SSH host public key and its OpenSSH-style SHA256 fingerprint.</summary>
internal sealed record HostKeyFingerprint(string Path, string Type, string Fingerprint)
{
    /// <summary>Parses "type base64 [comment]"; the fingerprint is SHA256 of the decoded key blob, base64 without padding,
    /// exactly as `ssh-keygen -lf` prints it.</summary>
    public static HostKeyFingerprint FromPublicKeyLine(string path, string line)
    {
        var fields = line.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2)
        {
            return new HostKeyFingerprint(path, "unknown", "unreadable public key");
        }

        try
        {
            var blob = Convert.FromBase64String(fields[1]);
            var hash = SHA256.HashData(blob);
            return new HostKeyFingerprint(path, fields[0], "SHA256:" + Convert.ToBase64String(hash).TrimEnd('='));
        }
        catch (FormatException)
        {
            return new HostKeyFingerprint(path, fields[0], "unreadable public key");
        }
    }
}
