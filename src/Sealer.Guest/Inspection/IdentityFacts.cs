using System.Security.Cryptography;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>Facts about a guest's identity that inspect prints: machine-id state, SSH host key fingerprints, cloud-init.</summary>
public sealed record IdentityFacts(
    string MachineIdState,
    string? DbusMachineIdState,
    IReadOnlyList<HostKeyFingerprint> HostKeys,
    string CloudInitState)
{
    public static IdentityFacts Read(GuestRoot root) => new(
        DescribeMachineId(root, "/etc/machine-id"),
        LStat(root, "/var/lib/dbus/machine-id") is null ? null : DescribeMachineId(root, "/var/lib/dbus/machine-id"),
        ReadHostKeys(root),
        DescribeCloudInit(root));

    /// <summary>lstat that treats a broken path (a file used as a directory, a symlink loop) as missing.</summary>
    private static FileStatus? LStat(GuestRoot root, string path)
    {
        try
        {
            return root.TryStat(path);
        }
        catch (Core.Errors.GuestFileSystemException)
        {
            return null;
        }
    }

    /// <summary>"missing", "empty (new ID at boot)", "uninitialized (first boot)", "symlink -> X" or "set (ID)".</summary>
    private static string DescribeMachineId(GuestRoot root, string path)
    {
        var status = LStat(root, path);
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

        var text = (GuestFiles.ReadSmallText(root, path) ?? string.Empty).Trim();
        return text.Length switch
        {
            0 => "empty (systemd makes a new ID at boot)",
            _ when text == "uninitialized" => "uninitialized (first boot)",
            _ => $"set ({text})",
        };
    }

    private static List<HostKeyFingerprint> ReadHostKeys(GuestRoot root)
    {
        var keys = new List<HostKeyFingerprint>();
        foreach (var entry in GuestFiles.ListOrEmpty(root, "/etc/ssh").OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (!entry.Name.StartsWith("ssh_host_", StringComparison.Ordinal) || !entry.Name.EndsWith("_key.pub", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/etc/ssh/" + entry.Name;
            if (GuestFiles.ReadSmallText(root, path) is string line)
            {
                keys.Add(HostKeyFingerprint.FromPublicKeyLine(path, line));
            }
        }

        return keys;
    }

    private static string DescribeCloudInit(GuestRoot root)
    {
        if (!GuestInspector.HasCloudInit(root))
        {
            return "not installed";
        }

        var instances = GuestFiles.ListOrEmpty(root, "/var/lib/cloud/instances").Select(e => e.Name).ToList();
        if (instances.Count > 0)
        {
            return $"ran before (instances: {string.Join(", ", instances)})";
        }

        return LStat(root, "/var/lib/cloud/instance") is not null ? "ran before" : "clean (runs at next boot)";
    }
}

/// <summary>An SSH host public key and its OpenSSH-style SHA256 fingerprint.</summary>
public sealed record HostKeyFingerprint(string Path, string Type, string Fingerprint)
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
