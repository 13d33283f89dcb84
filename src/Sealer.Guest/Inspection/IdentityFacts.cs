using System.Security.Cryptography;
using Sealer.Core.FileSystems;

namespace Sealer.Guest.Inspection;

/// <summary>Facts about a guest's identity that inspect prints: machine-id state, SSH host key fingerprints, cloud-init.
/// Structured (state plus value), so JSON carries data; <see cref="MachineIdFact.Describe"/> and
/// <see cref="CloudInitFact.Describe"/> make the text form.</summary>
public sealed record IdentityFacts(
    MachineIdFact MachineId,
    MachineIdFact? DbusMachineId,
    IReadOnlyList<HostKeyFingerprint> HostKeys,
    CloudInitFact CloudInit)
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

    private static MachineIdFact DescribeMachineId(GuestRoot root, string path)
    {
        var status = LStat(root, path);
        if (status is null)
        {
            return new MachineIdFact(MachineIdState.Missing, null);
        }

        if (status.Value.Kind == FileKind.Symlink)
        {
            return new MachineIdFact(MachineIdState.Symlink, root.ReadLink(path));
        }

        if (status.Value.Kind != FileKind.Regular)
        {
            return new MachineIdFact(MachineIdState.NotRegular, status.Value.Kind.ToString().ToLowerInvariant());
        }

        var text = (GuestFiles.ReadSmallText(root, path) ?? string.Empty).Trim();
        return text.Length switch
        {
            0 => new MachineIdFact(MachineIdState.Empty, null),
            _ when text == "uninitialized" => new MachineIdFact(MachineIdState.Uninitialized, null),
            _ => new MachineIdFact(MachineIdState.Set, text),
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

    private static CloudInitFact DescribeCloudInit(GuestRoot root)
    {
        if (!GuestInspector.HasCloudInit(root))
        {
            return new CloudInitFact(CloudInitState.NotInstalled, []);
        }

        var instances = GuestFiles.ListOrEmpty(root, "/var/lib/cloud/instances").Select(e => e.Name).Order(StringComparer.Ordinal).ToList();
        return instances.Count > 0 || LStat(root, "/var/lib/cloud/instance") is not null
            ? new CloudInitFact(CloudInitState.RanBefore, instances)
            : new CloudInitFact(CloudInitState.Clean, []);
    }
}

public enum MachineIdState
{
    Missing,
    Empty,
    Uninitialized,
    Set,
    Symlink,
    NotRegular,
}

/// <summary>A machine-id file's state; <see cref="Value"/> is the ID (set), the link target (symlink), the file
/// kind (not-regular), else null.</summary>
public sealed record MachineIdFact(MachineIdState State, string? Value)
{
    public string Describe() => State switch
    {
        MachineIdState.Missing => "missing",
        MachineIdState.Empty => "empty (systemd makes a new ID at boot)",
        MachineIdState.Uninitialized => "uninitialized (first boot)",
        MachineIdState.Set => $"set ({Value})",
        MachineIdState.Symlink => $"symlink -> {Value}",
        _ => $"not a regular file ({Value})",
    };
}

public enum CloudInitState
{
    NotInstalled,
    Clean,
    RanBefore,
}

/// <summary>cloud-init's state: not installed, clean (runs at the next boot), or ran before (with its instance IDs).</summary>
public sealed record CloudInitFact(CloudInitState State, IReadOnlyList<string> Instances)
{
    public string Describe() => State switch
    {
        CloudInitState.NotInstalled => "not installed",
        CloudInitState.Clean => "clean (runs at next boot)",
        _ => Instances.Count > 0 ? $"ran before (instances: {string.Join(", ", Instances)})" : "ran before",
    };
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
