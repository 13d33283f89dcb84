using Sealer.Core.FileSystems;
using Sealer.Core.IO;
using Sealer.Ext4;
using Sealer.Guest;
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

    /// <summary>Opens an image read-only. A redo log left by an interrupted seal is completed only when
    /// <paramref name="completePendingLog"/> is set (a real in-place seal); every other run writes nothing and refuses
    /// to read an image that such a log may have left half written.</summary>
    public static GuestSession OpenImage(string path, string? format, bool allowBacking, string? rootDevice, TimeProvider clock, bool completePendingLog)
    {
        var session = new GuestSession { Source = path };
        try
        {
            session.Recovery = completePendingLog ? InPlaceCommit.RecoverIfNeeded(path) : RefusePendingLog(path);
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

    /// <summary>Read-only runs never touch a redo log: a pending one is reported (the image may be half written, so it
    /// is not read), a mismatching one is refused by name, a torn one is harmless and ignored.</summary>
    private static RecoveryResult RefusePendingLog(string path)
    {
        var pending = InPlaceCommit.Inspect(path);
        return pending.State switch
        {
            PendingRedoLogState.Pending => throw new Core.Errors.ImageBusyException(
                $"{path} has a pending redo log from an interrupted seal ({pending.LogPath}): run `sealer seal -a {path}` to complete it; nothing was read or written"),
            PendingRedoLogState.Mismatch => throw new Core.Errors.InvalidImageException(pending.Problem!),
            _ => RecoveryResult.None,
        };
    }

    public static GuestSession OpenDirectory(string path)
    {
        var session = new GuestSession { Source = path };
        try
        {
            session.Guest = GuestAssembler.AssembleHostDirectory(path);
            session._owned.Add(session.Guest);
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
