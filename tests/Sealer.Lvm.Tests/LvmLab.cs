using System.Globalization;
using NUnit.Framework;
using Sealer.Core.IO;
using Sealer.Images.Host;
using Sealer.Images.Raw;
using Sealer.TestSupport;

namespace Sealer.Lvm.Tests;

/// <summary>
/// Disk image files on loop devices, with the real LVM tools restricted to those devices (so other VGs on the
/// machine are never seen or touched). The kernel has no device-mapper: LVs are created inactive and never
/// activated, and LV contents are placed at the offsets LVM reports. Dispose detaches the loop devices.
/// </summary>
internal sealed class LvmLab : IDisposable
{
    // No udev, no device-mapper, no backups/archives written to the host's /etc/lvm.
    private const string Config =
        "devices{obtain_device_list_from_udev=0 use_devicesfile=0} activation{udev_sync=0 udev_rules=0} backup{backup=0 archive=0}";

    private readonly TempDirectory _dir = new("sealer-lvm");
    private readonly List<string> _loops = [];
    private readonly List<string> _images = [];

    public LvmLab()
    {
        VgName = $"sealer{Guid.NewGuid():N}"[..20];
    }

    public string VgName { get; }

    public IReadOnlyList<string> Loops => _loops;

    public IReadOnlyList<string> Images => _images;

    /// <summary>Skips unless root with lvm and losetup (CI runs as root with lvm2 installed).</summary>
    public static void Require()
    {
        ExternalTool.Require("lvm");
        ExternalTool.Require("losetup");
        Assume.That(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || IsRoot(), Is.True, "loop devices need root");
    }

    private static bool IsRoot() => ExternalTool.Run("id", "-u").StdOut.Trim() == "0";

    /// <summary>Creates a sparse image of <paramref name="mib"/> MiB on a new loop device; returns the loop device.</summary>
    public string AddDisk(int mib)
    {
        var image = _dir.File($"disk{_images.Count}.img");
        using (var f = File.Create(image))
        {
            f.SetLength((long)mib * 1024 * 1024);
        }

        var loop = ExternalTool.Check("losetup", "-f", "--show", image).Trim();
        _loops.Add(loop);
        _images.Add(image);
        return loop;
    }

    /// <summary>Runs an lvm command over this lab's devices only.</summary>
    public ExternalTool.Result Run(string command, params string[] args)
    {
        Flush();
        var all = new List<string> { command, "--config", Config, "--devices", string.Join(',', _loops) };
        all.AddRange(args);
        var r = ExternalTool.Run("lvm", all);
        Flush();
        return r;
    }

    public string Check(string command, params string[] args)
    {
        var r = Run(command, args);
        Assert.That(r.ExitCode, Is.Zero, $"lvm {command} {string.Join(' ', args)}: {r}");
        return r.StdOut;
    }

    /// <summary>Creates an inactive LV (no device-mapper here), not zeroed, not wiped.</summary>
    public void CreateLv(string name, string[] args, params string[] pvs) =>
        Check("lvcreate", [.. new[] { "--driverloaded", "n", "-an", "-Zn", "-Wn", "-y", "-n", name }, .. args, VgName, .. pvs]);

    /// <summary>Rows of an lvm report (<c>--noheadings --separator |</c>, sizes in bytes).</summary>
    public List<string[]> Report(string command, string fields, params string[] extra)
    {
        var output = Check(command, [.. new[] { "--noheadings", "--separator", "|", "--units", "b", "--nosuffix", "-o", fields }, .. extra]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim().Split('|').Select(f => f.Trim()).ToArray())
            .ToList();
    }

    public static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    /// <summary>Drops the loop devices' buffer caches so LVM tools and direct file access see the same bytes.</summary>
    public void Flush()
    {
        foreach (var l in _loops)
        {
            ExternalTool.Run("blockdev", "--flushbufs", l);
        }
    }

    public LvmDevice Open(int disk, bool writable) =>
        new(Path.GetFileName(_images[disk]), new RawImage(FileHostFile.Open(_images[disk], writable), writable));

    public List<LvmDevice> OpenAll(bool writable) => [.. Enumerable.Range(0, _images.Count).Select(i => Open(i, writable))];

    public static void Close(IEnumerable<LvmDevice> devices)
    {
        foreach (var d in devices)
        {
            d.Device.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var loop in _loops)
        {
            ExternalTool.Run("losetup", "-d", loop);
        }

        _dir.Dispose();
    }
}
