using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sealer.Guest.Inspection;

/// <summary>Finds the candidate an fstab device field names.</summary>
internal static partial class FstabDeviceMatcher
{
    /// <summary>The matching candidate, or null; <paramref name="unsupported"/> says why a form cannot be matched at all.</summary>
    public static CandidateFileSystem? Find(string spec, IReadOnlyList<CandidateFileSystem> candidates, out string? unsupported)
    {
        unsupported = null;
        if (TryTag(spec, "UUID=", "/dev/disk/by-uuid/", out var uuid))
        {
            return candidates.FirstOrDefault(c => string.Equals(c.Identity.Uuid, uuid, StringComparison.OrdinalIgnoreCase));
        }

        if (TryTag(spec, "LABEL=", "/dev/disk/by-label/", out var label))
        {
            return candidates.FirstOrDefault(c => c.Identity.Label == label);
        }

        if (TryTag(spec, "PARTUUID=", "/dev/disk/by-partuuid/", out var partUuid))
        {
            return candidates.FirstOrDefault(c => string.Equals(c.PartUuid, partUuid, StringComparison.OrdinalIgnoreCase));
        }

        if (TryTag(spec, "PARTLABEL=", "/dev/disk/by-partlabel/", out var partLabel))
        {
            return candidates.FirstOrDefault(c => c.PartLabel == partLabel);
        }

        if (KernelName(spec) is { } wanted)
        {
            return candidates.FirstOrDefault(c => KernelName(c.DeviceName) == wanted);
        }

        if (spec.StartsWith("/dev/mapper/", StringComparison.Ordinal) || spec.StartsWith("/dev/dm-", StringComparison.Ordinal)
            || spec.StartsWith("/dev/md", StringComparison.Ordinal) || spec.StartsWith("/dev/disk/by-id/", StringComparison.Ordinal)
            || spec.StartsWith("/dev/disk/by-path/", StringComparison.Ordinal) || spec.Count(c => c == '/') == 3)
        {
            unsupported = "device-mapper, LVM, RAID, by-id and by-path devices are not supported";
        }

        return null;
    }

    /// <summary>"/dev/vda2", "/dev/sda2", "/dev/xvda2", "/dev/nvme0n1p2" all mean (disk 0, partition 2): the guest
    /// may have been booted with another bus than the one Sealer names devices after.</summary>
    internal static (int Disk, int Partition)? KernelName(string device)
    {
        var match = KernelNamePattern().Match(device);
        if (!match.Success)
        {
            return null;
        }

        int disk;
        string partition;
        if (match.Groups["letters"].Success)
        {
            var letters = match.Groups["letters"].Value;
            disk = letters.Length == 1 ? letters[0] - 'a' : ((letters[0] - 'a' + 1) * 26) + (letters[1] - 'a');
            partition = match.Groups["part"].Value;
        }
        else
        {
            // QEMU gives every NVMe disk its own controller with namespace 1: nvme0n1, nvme1n1...
            if (match.Groups["ns"].Value != "1" || !int.TryParse(match.Groups["ctrl"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out disk))
            {
                return null;
            }

            partition = match.Groups["npart"].Value;
        }

        if (partition.Length == 0)
        {
            return (disk, 0);
        }

        return int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? (disk, number) : null;
    }

    private static bool TryTag(string spec, string tag, string byPath, out string value)
    {
        if (spec.StartsWith(tag, StringComparison.OrdinalIgnoreCase))
        {
            value = spec[tag.Length..];
            return value.Length > 0;
        }

        if (spec.StartsWith(byPath, StringComparison.Ordinal))
        {
            value = UnescapeUdev(spec[byPath.Length..]);
            return value.Length > 0;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>udev escapes unsafe bytes in /dev/disk/by-* names as \xHH (e.g. "/" as \x2f).</summary>
    private static string UnescapeUdev(string name)
    {
        if (!name.Contains("\\x", StringComparison.Ordinal))
        {
            return name;
        }

        var bytes = new List<byte>();
        var raw = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && raw[i + 1] == 'x'
                && byte.TryParse(Encoding.ASCII.GetString(raw, i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 3;
                continue;
            }

            bytes.Add(raw[i]);
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    [GeneratedRegex(@"^/dev/(?:(?:sd|vd|xvd|hd)(?<letters>[a-z]{1,2})(?<part>[0-9]{0,4})|nvme(?<ctrl>[0-9]{1,3})n(?<ns>[0-9]{1,3})(?:p(?<npart>[0-9]{1,4}))?)$", RegexOptions.CultureInvariant)]
    private static partial Regex KernelNamePattern();
}
