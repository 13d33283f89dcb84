using Sealer.Core.FileSystems;
using Sealer.Core.IO;
using Sealer.Ext4;
using Sealer.Guest;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.Images.Opening;
using Sealer.Images.Transactions;
using Sealer.Partitions;

namespace Sealer.Cli.Pipeline;

/// <summary>
/// One opened guest: the image (read-only) under an in-memory copy-on-write overlay, its partitions, the file systems
/// found on them, and the assembled guest root. Nothing reaches the image until <see cref="GuestCommitter"/> runs.
/// </summary>
internal sealed class GuestSession : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private GuestSession()
    {
    }

    public string Source { get; private init; } = string.Empty;

    public OpenedImage? Image { get; private set; }

    public CopyOnWriteBlockDevice? Overlay { get; private set; }

    public PartitionTable? PartitionTable { get; private set; }

    public IReadOnlyList<DetectedFileSystem> FileSystems { get; private set; } = [];

    public AssembledGuest Guest { get; private set; } = null!;

    public RecoveryResult Recovery { get; private set; }

    public static GuestSession OpenImage(string path, string? format, bool allowBacking, string? rootDevice, TimeProvider clock)
    {
        var session = new GuestSession { Source = path };
        try
        {
            session.Recovery = InPlaceCommit.RecoverIfNeeded(path);
            session.Image = ImageOpener.Open(path, new ImageOpenOptions { Format = format, Writable = false, AllowBacking = allowBacking });
            session._owned.Add(session.Image);
            session.Overlay = new CopyOnWriteBlockDevice(session.Image.Device);
            session.PartitionTable = PartitionTableReader.Read(session.Overlay);
            var detected = DetectFileSystems(session.Overlay, session.PartitionTable);
            session.FileSystems = detected;
            var candidates = detected
                .Where(d => d.Identity is not null)
                .Select(d => new CandidateFileSystem(
                    d.DeviceName,
                    d.Partition?.Number,
                    d.Partition?.PartUuid,
                    d.Partition?.Name,
                    d.Identity!,
                    () => Ext4FileSystem.Open(d.Device, writable: true, clock)))
                .ToList();
            session.Guest = GuestAssembler.Assemble(candidates, rootDevice);
            session._owned.Add(session.Guest);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The copy-on-write view of a --dir tree; null for an image.</summary>
    public HostDirectoryOverlay? DirectoryOverlay { get; private set; }

    /// <summary>
    /// Opens a --dir tree read-only under an in-memory overlay, as an image is: nothing on the host changes until
    /// <see cref="GuestCommitter"/> applies the overlay. The running host's own root is refused unless <paramref name="liveHost"/>.
    /// </summary>
    public static GuestSession OpenDirectory(string path, bool liveHost = false, bool crossMounts = false)
    {
        if (!liveHost && HostDirectoryFileSystem.IsLiveHostRoot(path))
        {
            throw new UsageException($"--dir {path} is the root of the running host; refusing without --live-host");
        }

        var session = new GuestSession { Source = path };
        try
        {
            session.Guest = GuestAssembler.AssembleHostDirectoryOverlay(path, crossMounts);
            session._owned.Add(session.Guest);
            session.DirectoryOverlay = (HostDirectoryOverlay)session.Guest.Root.RootFileSystem;
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Probes every partition (or the whole disk when there is no table) for a file system Sealer can read.</summary>
    private static List<DetectedFileSystem> DetectFileSystems(IBlockDevice disk, PartitionTable table)
    {
        var result = new List<DetectedFileSystem>();
        if (table.Partitions.Count == 0)
        {
            result.Add(new DetectedFileSystem(CandidateFileSystem.LinuxDeviceName(0, null), null, disk, Ext4FileSystem.Probe(disk)));
            return result;
        }

        foreach (var partition in table.Partitions.Where(p => !p.IsExtendedContainer))
        {
            var device = disk.OpenPartition(partition);
            result.Add(new DetectedFileSystem(CandidateFileSystem.LinuxDeviceName(0, partition.Number), partition, device, Ext4FileSystem.Probe(device)));
        }

        return result;
    }

    /// <summary>
    /// Closes the guest file systems and the read-only image, keeping only the overlay's dirty pages, so that the
    /// in-place commit can take its exclusive lock on the image file.
    /// </summary>
    public void CloseInputs()
    {
        Guest.Root.Flush();
        Dispose();
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }
}

/// <summary>A partition (or whole disk) and the file system found on it, if any.</summary>
internal sealed record DetectedFileSystem(string DeviceName, Partition? Partition, IBlockDevice Device, FileSystemIdentity? Identity);
