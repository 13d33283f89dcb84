using System.Text;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Ext4;
using Sealer.Fuzz.Support;
using Sealer.Guest;
using Sealer.Guest.Inspection;
using Sealer.Images.Transactions;
using Sealer.Operations;

namespace Sealer.Fuzz.Targets;

/// <summary>Targets over the ext2/3/4 driver: read-only walks, journal replay, and a whole seal over a copy-on-write overlay.</summary>
public static class Ext4Targets
{
    private static readonly TimeProvider Clock = new FixedClock();
    private static readonly IReadOnlyList<ISealOperation> DefaultOperations =
        OperationSelection.Defaults.Resolve(OperationRegistry.CreateDefault());

    /// <summary>Probe, open read-only (superblock, every group descriptor, root inode), then walk the whole tree.</summary>
    public static void Ext4Read(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        using var device = new ZeroExtendedDevice(bytes, DeclaredLength.Ext4(bytes));
        _ = Ext4FileSystem.Probe(device);
        using var fs = Ext4FileSystem.Open(device, writable: false, Clock);
        TreeWalker.Walk(fs);
    }

    /// <summary>Open writable over an overlay, which replays a pending JBD2 journal (needs_recovery); then the replayed
    /// file system must open again and is walked.</summary>
    public static void JournalReplay(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        using var device = new ZeroExtendedDevice(bytes, DeclaredLength.Ext4(bytes));
        using var overlay = new CopyOnWriteBlockDevice(device);
        using (var fs = Ext4FileSystem.Open(overlay, writable: true, Clock))
        {
            TreeWalker.Walk(fs);
        }

        using var replayed = Ext4FileSystem.Open(overlay, writable: false, Clock);
        TreeWalker.Walk(replayed);
    }

    /// <summary>
    /// The write path as `seal` runs it: the file system over a copy-on-write overlay, the guest assembled and inspected,
    /// every default operation run, then a fixed list of writes, appends, truncates, links, renames and deletes, flushed.
    /// A flushed result must open again, and a file written by the script must read back byte for byte.
    /// </summary>
    public static void WritePath(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        using var device = new ZeroExtendedDevice(bytes, DeclaredLength.Ext4(bytes));
        using var overlay = new CopyOnWriteBlockDevice(device);
        var identity = Ext4FileSystem.Probe(overlay);
        if (identity is null)
        {
            return;
        }

        var candidate = new CandidateFileSystem("/dev/sda", null, null, null, identity,
            () => Ext4FileSystem.Open(overlay, writable: true, Clock));
        var written = new Dictionary<string, byte[]>();
        var expected = new Dictionary<string, byte[]?>();
        using (var guest = GuestAssembler.Assemble([candidate]))
        {
            var report = SealRunner.Run(guest.Root, guest.Info, DefaultOperations, new SealOptions(), new Random(1), Clock);
            _ = report.ToText();
            RunScript(guest.Root, written);

            // What the guest view shows now (symlinks followed, later deletes applied) is what must be on the disk.
            foreach (var path in written.Keys)
            {
                expected[path] = ReadThroughGuest(guest.Root, path);
            }

            guest.Root.Flush();
        }

        // The seal finished and flushed: the result must open again (a seal that exits 0 must not leave an image that
        // no longer mounts), and every file the script wrote must read back as the guest view showed it before the flush.
        using var after = new GuestRoot(Ext4FileSystem.Open(overlay, writable: false, Clock));
        foreach (var (path, before) in expected)
        {
            byte[]? actual;
            try
            {
                actual = ReadThroughGuest(after, path);
            }
            catch (SealerException e)
            {
                throw new ContractViolationException($"ext4: {path} read before the flush but not after reopening: {e.Message}");
            }

            if (before is null != actual is null)
            {
                throw new ContractViolationException(
                    $"ext4: {path} {(before is null ? "was absent" : "existed")} before the flush, {(actual is null ? "is absent" : "exists")} after reopening");
            }

            if (before is not null && !actual.AsSpan().SequenceEqual(before))
            {
                throw new ContractViolationException($"ext4: {path} reads back {actual!.Length} bytes that differ from the {before.Length} seen before the flush");
            }
        }

        TreeWalker.Walk(after);
    }

    /// <summary>The content of <paramref name="path"/> through the guest view, null when it does not exist.</summary>
    private static byte[]? ReadThroughGuest(GuestRoot root, string path)
    {
        var status = root.TryStatFollow(path);
        if (status is null || status.Value.Kind != FileKind.Regular)
        {
            return null;
        }

        using var stream = root.OpenRead(root.ResolvePath(path, followLast: true));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Generic mutations beyond the operations: each step may be refused with a documented error.</summary>
    private static void RunScript(GuestRoot root, Dictionary<string, byte[]> written)
    {
        var small = Encoding.ASCII.GetBytes("fuzz small file\n");
        var large = new byte[70_000];
        for (var i = 0; i < large.Length; i++)
        {
            large[i] = (byte)(i * 31 >> 3);
        }

        void Step(Action action, string? path = null, byte[]? content = null)
        {
            if (Contract.Try(action) && path is not null)
            {
                if (content is null)
                {
                    written.Remove(path);
                    return;
                }

                // A write that succeeded must be visible at once (not only after a flush).
                byte[]? now = null;
                if (Contract.Try(() => now = ReadThroughGuest(root, path)) && !now.AsSpan().SequenceEqual(content))
                {
                    throw new ContractViolationException(
                        $"ext4: {path} was written ({content.Length} bytes) but reads back {(now is null ? "as missing" : $"{now.Length} other bytes")}");
                }

                written[path] = content;
            }
        }

        var mode = (UnixFileMode)Convert.ToInt32("644", 8);
        Step(() => root.WriteFile("/etc/fuzz-small", small, mode), "/etc/fuzz-small", small);
        Step(() => root.WriteFile("/var/fuzz-large", large, mode), "/var/fuzz-large", large);
        Step(() => root.Append("/etc/fuzz-small", small), "/etc/fuzz-small", [.. small, .. small]);
        Step(() => root.Truncate("/var/fuzz-large", 5000), "/var/fuzz-large", large[..5000]);
        Step(() => root.WriteFile("/etc/hostname", Encoding.ASCII.GetBytes("fuzzed\n"), mode), "/etc/hostname", Encoding.ASCII.GetBytes("fuzzed\n"));
        Step(() => root.CreateDirectory("/var/fuzz-dir", (UnixFileMode)Convert.ToInt32("755", 8)));
        for (var i = 0; i < 40; i++)
        {
            var name = $"/var/fuzz-dir/entry-with-a-long-name-to-fill-directory-blocks-{i:D3}";
            Step(() => root.WriteFile(name, small, mode));
        }

        Step(() => root.CreateSymbolicLink("/var/fuzz-dir/link", "/etc/fuzz-small"));
        Step(() => root.CreateHardLink("/etc/fuzz-small", "/var/fuzz-dir/hard"));
        Step(() => root.Rename("/var/fuzz-large", "/var/fuzz-dir/renamed"), "/var/fuzz-large");
        Step(() => root.SetMode("/etc/passwd", (UnixFileMode)Convert.ToInt32("600", 8)));
        Step(() => root.SetOwner("/etc/passwd", 1, 1));
        Step(() => root.SetTimes("/etc/passwd", 1_000_000, 2_000_000));
        Step(() => root.Delete("/etc/shadow"));
        Step(() => root.DeleteTree("/var/log"));
        Step(() => root.DeleteTree("/var/fuzz-dir"));
        Step(() => root.DeleteTree("/usr"));
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    }
}
