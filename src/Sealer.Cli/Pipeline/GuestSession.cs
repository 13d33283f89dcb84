using Sealer.Core.Errors;
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
            var candidates = detected.Select(d => ToCandidate(d, clock)).ToList();
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

    /// <summary>Probes every partition (or the whole disk when there is no table) for a file system Sealer can read,
    /// and where there is none, for what is there instead (xfs, LVM, LUKS, ...), so that it can be named.</summary>
    private static List<DetectedFileSystem> DetectFileSystems(IBlockDevice disk, PartitionTable table)
    {
        if (table.Partitions.Count == 0)
        {
            return [Detect(CandidateFileSystem.LinuxDeviceName(0, null), null, disk)];
        }

        return table.Partitions
            .Where(p => !p.IsExtendedContainer)
            .Select(p => Detect(CandidateFileSystem.LinuxDeviceName(0, p.Number), p, disk.OpenPartition(p)))
            .ToList();

        static DetectedFileSystem Detect(string name, Partition? partition, IBlockDevice device) =>
            Ext4FileSystem.Probe(device) is { } identity
                ? new DetectedFileSystem(name, partition, device, identity)
                : new DetectedFileSystem(name, partition, device, null) { Unsupported = StorageProber.Probe(device) };
    }

    /// <summary>Every partition is offered to the assembler, so that its errors can name them all; only ext2/3/4 ones
    /// can be opened.</summary>
    private static CandidateFileSystem ToCandidate(DetectedFileSystem detected, TimeProvider clock)
    {
        if (detected.Identity is { } identity)
        {
            return new CandidateFileSystem(
                detected.DeviceName,
                detected.Partition?.Number,
                detected.Partition?.PartUuid,
                detected.Partition?.Name,
                identity,
                () => Ext4FileSystem.Open(detected.Device, writable: true, clock));
        }

        var description = detected.Unsupported?.Description ?? "no file system Sealer recognises";
        return new CandidateFileSystem(
            detected.DeviceName,
            detected.Partition?.Number,
            detected.Partition?.PartUuid,
            detected.Partition?.Name,
            detected.Unsupported?.ToIdentity() ?? new FileSystemIdentity(GuestAssembler.UnknownType, null, null),
            () => throw new UnsupportedFeatureException($"{detected.DeviceName}: {description}: not supported (Sealer opens ext2/ext3/ext4 only)"))
        {
            Unsupported = description,
        };
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

/// <summary>A partition (or whole disk) and the file system found on it, if any; else what else is there, if known.</summary>
internal sealed record DetectedFileSystem(string DeviceName, Partition? Partition, IBlockDevice Device, FileSystemIdentity? Identity)
{
    public StorageSignature? Unsupported { get; init; }
}
