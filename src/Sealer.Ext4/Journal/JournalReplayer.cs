using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Ext4.Journal;

/// <summary>Replays an internal JBD2 journal the way the kernel's recovery does, then marks the journal empty.</summary>
internal static class JournalReplayer
{
    /// <summary>The kernel refuses journals shorter than this (JBD2_MIN_JOURNAL_BLOCKS).</summary>
    private const uint MinJournalBlocks = 1024;
    private const uint DefaultFastCommitBlocks = 256;
    private const ushort FastCommitHeadTag = 0x0009;

    /// <summary>
    /// Replays the committed transactions of an internal journal into <paramref name="device"/>, then marks the journal
    /// clean (s_start = 0, s_sequence = first unused tid + 1, as e2fsck does). Every check runs before the first write,
    /// so a refused journal leaves the device untouched. Does not touch the ext4 superblock.
    /// </summary>
    public static JournalReplayResult Replay(IBlockDevice device, int blockSize, long journalBlockCount, JournalBlockMap map)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(map);
        if (blockSize < 1024 || blockSize > 65536 || (blockSize & (blockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "block size must be a power of two in 1024..65536");
        }

        if (journalBlockCount < 2)
        {
            throw new InvalidImageException($"jbd2: journal inode has only {journalBlockCount} blocks");
        }

        var blockCountForMap = (uint)Math.Min(journalBlockCount, uint.MaxValue);
        var rawSuperblock = new byte[blockSize];
        new JournalLog(device, blockSize, map, blockCountForMap).Read(0, rawSuperblock);
        var superblock = JournalSuperblock.Parse(rawSuperblock, blockSize, journalBlockCount);
        if (superblock.Start == 0)
        {
            return new JournalReplayResult(0, 0);
        }

        superblock.CheckFeaturesForReplay();
        var log = new JournalLog(device, blockSize, map, superblock.MaxLength);
        SetLogArea(log, superblock);

        var recovery = new JournalRecovery(log, superblock);
        recovery.Scan();
        if ((superblock.Incompat & JournalIncompat.FastCommit) != 0)
        {
            RefuseFastCommitBlocks(log, superblock, recovery.EndTransaction);
        }

        recovery.CollectRevokesAndPlan();
        if (!device.CanWrite)
        {
            throw new GuestFileSystemException(FsError.ReadOnly, "journal", "cannot replay the journal on a read-only device");
        }

        Write(device, log, recovery.Plan);
        var clean = superblock.BuildClean(unchecked(recovery.EndTransaction + 1));
        device.Write(checked(log.ToFileSystemBlock(0) * blockSize), clean);
        device.Flush();
        return new JournalReplayResult(recovery.CommittedTransactions, recovery.Plan.Count);
    }

    private static void SetLogArea(JournalLog log, JournalSuperblock superblock)
    {
        var fastCommitBlocks = 0u;
        if ((superblock.Incompat & JournalIncompat.FastCommit) != 0)
        {
            fastCommitBlocks = superblock.FastCommitBlocks == 0 ? DefaultFastCommitBlocks : superblock.FastCommitBlocks;
        }

        if (superblock.MaxLength < MinJournalBlocks || superblock.MaxLength - MinJournalBlocks < fastCommitBlocks)
        {
            throw new InvalidImageException(
                $"jbd2: journal of {superblock.MaxLength} blocks is too short (fast-commit area {fastCommitBlocks} blocks) (journal block 0)");
        }

        var last = superblock.MaxLength - fastCommitBlocks;
        if (superblock.First >= last || superblock.Start < superblock.First || superblock.Start >= last)
        {
            throw new InvalidImageException(
                $"jbd2: log start {superblock.Start} is outside the log area {superblock.First}..{last} (journal block 0)");
        }

        log.SetLogArea(superblock.First, last);
    }

    /// <summary>
    /// ext4 replays fast-commit blocks after the full commits when the first one (at j_last + 1) opens with a HEAD tag
    /// for the transaction after the last full commit. That replay is ext4-specific and not implemented: refuse it.
    /// </summary>
    private static void RefuseFastCommitBlocks(JournalLog log, JournalSuperblock superblock, uint endTransaction)
    {
        var firstFastCommitBlock = log.Last + 1;
        if (firstFastCommitBlock >= superblock.MaxLength)
        {
            return;
        }

        var block = new byte[log.BlockSize];
        log.Read(firstFastCommitBlock, block);
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(block);
        var headTid = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(8));
        if (tag == FastCommitHeadTag && headTid == endTransaction)
        {
            throw new UnsupportedFeatureException("jbd2: fast-commit journal replay is not supported");
        }
    }

    private static void Write(IBlockDevice device, JournalLog log, Dictionary<ulong, PlannedWrite> plan)
    {
        var buffer = new byte[log.BlockSize];
        foreach (var (target, source) in plan.OrderBy(p => p.Key))
        {
            log.Read(source.JournalBlock, buffer);
            if (source.Escaped)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer, JournalFormat.Magic);
            }

            device.Write(checked((long)target * log.BlockSize), buffer);
        }

        // The data must be durable before the journal stops saying it needs replaying.
        device.Flush();
    }
}
