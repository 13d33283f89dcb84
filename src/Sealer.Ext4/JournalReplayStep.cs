using System.Buffers.Binary;
using Sealer.Core.Errors;
using Sealer.Core.IO;
using Sealer.Ext4.Journal;

namespace Sealer.Ext4;

/// <summary>
/// Brings a filesystem with needs_recovery back to a consistent state before anything else is read: replays the
/// internal journal (through the journal inode's block map), then clears needs_recovery in the superblock.
/// </summary>
internal static class JournalReplayStep
{
    public static void Recover(IBlockDevice device, Ext4Superblock sb, bool writable)
    {
        if (sb.JournalInode == 0 || sb.HasIncompat(Ext4Features.IncompatJournalDev))
        {
            throw new UnsupportedFeatureException("ext4: needs_recovery with an external journal device is not supported");
        }

        if (!writable)
        {
            throw new UnsupportedFeatureException("ext4: needs_recovery: the journal must be replayed; open the filesystem writable");
        }

        // Read the journal inode with a throw-away context: nothing but its map is used before the replay.
        var ctx = new Ext4Context(sb, new BlockCache(device, sb.BlockSize, sb.BlocksCount));
        var journal = ctx.Inodes.Read(sb.JournalInode);
        var map = FileMap.Read(journal, ctx);
        var blocks = journal.Size / sb.BlockSize;
        JournalReplayer.Replay(device, sb.BlockSize, blocks, journalBlock =>
        {
            var index = map.Find(journalBlock);
            if (index < 0 || journalBlock < 0)
            {
                throw new InvalidImageException($"ext4: journal block {journalBlock} is not mapped by journal inode {sb.JournalInode}");
            }

            var e = map.Extents[index];
            return e.Physical + (journalBlock - e.Logical);
        });

        // The replay may have rewritten the superblock itself: re-read it, then clear needs_recovery.
        var raw = new byte[Ext4Superblock.Size];
        device.Read(Ext4Superblock.Offset, raw);
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0x60));
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(0x60), incompat & ~Ext4Features.IncompatRecover);
        if ((BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(0x64)) & Ext4Features.RoCompatMetadataCsum) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(0x3FC), Ext4Superblock.ComputeChecksum(raw));
        }

        device.Write(Ext4Superblock.Offset, raw);
        device.Flush();
    }
}
