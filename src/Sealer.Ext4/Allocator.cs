using Sealer.Core.Checksums;
using Sealer.Core.Errors;

namespace Sealer.Ext4;

/// <summary>
/// Block and inode allocation through the group bitmaps, keeping descriptor and superblock counts, bitmap and
/// descriptor checksums and the UNINIT flags consistent. Block frees are deferred to <see cref="ApplyPendingFrees"/>
/// so an operation never reuses (and overwrites) blocks it is still able to roll back to.
/// </summary>
internal sealed class Allocator(Ext4Superblock sb, GroupDescriptors gd, BlockCache cache, SuperblockWriter sbw)
{
    private readonly List<(long Start, long Count)> _pendingFrees = [];

    /// <summary>Proves frees and allocations against what the inodes claim (unset in a replay's throw-away context).</summary>
    public OwnershipIndex? Owners { get; set; }

    /// <summary>Free blocks not counting frees still pending in this operation.</summary>
    public long FreeBlocks => sbw.FreeBlocks;

    public long FreeInodes => sbw.FreeInodes;

    /// <summary>Allocates up to <paramref name="max"/> contiguous blocks, near <paramref name="goal"/> if possible.</summary>
    public (long Start, int Count) AllocateBlocks(long goal, int max)
    {
        if (goal < sb.FirstDataBlock || goal >= sb.BlocksCount)
        {
            goal = sb.FirstDataBlock;
        }

        var startGroup = (int)((goal - sb.FirstDataBlock) / sb.BlocksPerGroup);
        for (var i = 0; i <= sb.GroupCount; i++)
        {
            var g = (startGroup + i) % sb.GroupCount;
            if (gd.FreeBlocks(g) == 0)
            {
                continue;
            }

            var first = gd.GroupFirstBlock(g);
            var from = i == 0 ? (int)(goal - first) : 0;
            var found = TryAllocateInGroup(g, from, max);
            if (found.Count == 0 && from > 0)
            {
                found = TryAllocateInGroup(g, 0, max);
            }

            if (found.Count > 0)
            {
                return found;
            }
        }

        throw new GuestFileSystemException(FsError.NoSpace, "/", "no free blocks");
    }

    public void FreeBlocksLater(long start, long count)
    {
        if (start < sb.FirstDataBlock || count <= 0 || start + count > sb.BlocksCount)
        {
            throw new InvalidImageException($"ext4: cannot free blocks {start}+{count}: outside the filesystem");
        }

        Owners?.CheckFree(start, count);

        for (var b = start; b < start + count; b++)
        {
            cache.Forget(b);
        }

        _pendingFrees.Add((start, count));
    }

    public void DiscardPendingFrees() => _pendingFrees.Clear();

    public void ApplyPendingFrees()
    {
        foreach (var (start, count) in _pendingFrees)
        {
            var b = start;
            while (b < start + count)
            {
                var g = (int)((b - sb.FirstDataBlock) / sb.BlocksPerGroup);
                var bitmap = BlockBitmapForWrite(g);
                var groupStart = gd.GroupFirstBlock(g);
                var freed = 0;
                for (; b < start + count && b < groupStart + sb.BlocksPerGroup; b++)
                {
                    var bit = (int)(b - groupStart);
                    if (!TestBit(bitmap, bit))
                    {
                        throw new InvalidImageException($"ext4: block {b} is freed but already free in the bitmap of group {g}");
                    }

                    ClearBit(bitmap, bit);
                    freed++;
                }

                gd.SetFreeBlocks(g, gd.FreeBlocks(g) + freed);
                SealBlockBitmap(g, bitmap);
                sbw.AddFreeBlocks(freed);
            }

            Owners?.NoteFreed(start, count);
        }

        _pendingFrees.Clear();
    }

    public uint AllocateInode(uint nearInode, bool directory)
    {
        var startGroup = nearInode == 0 ? 0 : (int)((nearInode - 1) / (uint)sb.InodesPerGroup);
        for (var i = 0; i < sb.GroupCount; i++)
        {
            var g = (startGroup + i) % sb.GroupCount;
            if (gd.FreeInodes(g) == 0)
            {
                continue;
            }

            var bitmap = InodeBitmapForWrite(g);
            for (var index = 0; index < sb.InodesPerGroup; index++)
            {
                var number = ((uint)g * (uint)sb.InodesPerGroup) + (uint)index + 1;
                if (TestBit(bitmap, index) || number < sb.FirstInode || number > sb.InodesCount)
                {
                    continue;
                }

                Owners?.CheckInodeAllocate(g, number);
                SetBit(bitmap, index);
                SealInodeBitmap(g, bitmap);
                gd.SetFreeInodes(g, gd.FreeInodes(g) - 1);
                if (directory)
                {
                    gd.SetUsedDirs(g, gd.UsedDirs(g) + 1);
                }

                if ((sb.MetadataCsum || sb.GdtCsum) && sb.InodesPerGroup - gd.ItableUnused(g) <= index)
                {
                    gd.SetItableUnused(g, sb.InodesPerGroup - index - 1);
                }

                sbw.AddFreeInodes(-1);
                return number;
            }
        }

        throw new GuestFileSystemException(FsError.NoSpace, "/", "no free inodes");
    }

    public void FreeInode(uint number, bool directory)
    {
        var g = (int)((number - 1) / (uint)sb.InodesPerGroup);
        var index = (int)((number - 1) % (uint)sb.InodesPerGroup);
        var bitmap = InodeBitmapForWrite(g);
        if (!TestBit(bitmap, index))
        {
            throw new InvalidImageException($"ext4: inode {number} is freed but already free in the bitmap of group {g}");
        }

        ClearBit(bitmap, index);
        SealInodeBitmap(g, bitmap);
        gd.SetFreeInodes(g, gd.FreeInodes(g) + 1);
        if (directory)
        {
            gd.SetUsedDirs(g, Math.Max(0, gd.UsedDirs(g) - 1));
        }

        sbw.AddFreeInodes(1);
    }

    private (long Start, int Count) TryAllocateInGroup(int g, int from, int max)
    {
        var uninit = (gd.Flags(g) & GroupDescriptors.FlagBlockUninit) != 0;
        var bitmap = uninit ? BlockBitmapForWrite(g) : ReadBlockBitmap(g);

        var limit = gd.GroupBlockCount(g);
        for (var bit = Math.Max(0, from); bit < limit; bit++)
        {
            if (TestBit(bitmap, bit))
            {
                continue;
            }

            var count = 1;
            while (count < max && bit + count < limit && !TestBit(bitmap, bit + count))
            {
                count++;
            }

            Owners?.CheckAllocate(g, gd.GroupFirstBlock(g) + bit, count);
            bitmap = BlockBitmapForWrite(g);
            for (var k = 0; k < count; k++)
            {
                SetBit(bitmap, bit + k);
            }

            SealBlockBitmap(g, bitmap);
            gd.SetFreeBlocks(g, gd.FreeBlocks(g) - count);
            sbw.AddFreeBlocks(-count);
            return (gd.GroupFirstBlock(g) + bit, count);
        }

        return (0, 0);
    }

    private byte[] BlockBitmapForWrite(int g)
    {
        var block = gd.BlockBitmap(g);
        if ((gd.Flags(g) & GroupDescriptors.FlagBlockUninit) == 0)
        {
            ReadBlockBitmap(g);
            return cache.GetForWrite(block);
        }

        var bitmap = cache.CreateZeroed(block);
        foreach (var used in UninitGroupMetadata(g))
        {
            SetBit(bitmap, used);
        }

        var blocks = gd.GroupBlockCount(g);
        for (var bit = blocks; bit < sb.BlockSize * 8; bit++)
        {
            SetBit(bitmap, bit);
        }

        var free = 0;
        for (var bit = 0; bit < blocks; bit++)
        {
            free += TestBit(bitmap, bit) ? 0 : 1;
        }

        if (free != gd.FreeBlocks(g))
        {
            throw new InvalidImageException(
                $"ext4: group {g} is BLOCK_UNINIT with {gd.FreeBlocks(g)} free blocks but its metadata leaves {free}");
        }

        gd.SetFlags(g, (ushort)(gd.Flags(g) & ~GroupDescriptors.FlagBlockUninit));
        SealBlockBitmap(g, bitmap);
        return bitmap;
    }

    /// <summary>Bits used in an uninitialised group: superblock/GDT backups and any group's bitmaps and inode table stored here.</summary>
    private IEnumerable<int> UninitGroupMetadata(int g)
    {
        var first = gd.GroupFirstBlock(g);
        var count = gd.GroupBlockCount(g);
        var used = new List<int>();
        void Mark(long block, long n)
        {
            for (var b = block; b < block + n; b++)
            {
                if (b >= first && b < first + count)
                {
                    used.Add((int)(b - first));
                }
            }
        }

        if (sb.GroupHasSuper(g))
        {
            Mark(first, 1);
            var old = gd.ClassicGdtBlocks + (sb.HasIncompat(Ext4Features.IncompatMetaBg) ? 0 : sb.ReservedGdtBlocks);
            Mark(first + 1, old);
        }

        var perBlock = sb.BlockSize / sb.DescriptorSize;
        var metaGroup = g / perBlock;
        var inMeta = g % perBlock;
        if (sb.HasIncompat(Ext4Features.IncompatMetaBg) && metaGroup >= sb.FirstMetaBg &&
            (inMeta == 0 || inMeta == 1 || inMeta == perBlock - 1))
        {
            Mark(first + (sb.GroupHasSuper(g) ? 1 : 0), 1);
        }

        var itableBlocks = ((long)sb.InodesPerGroup * sb.InodeSize + sb.BlockSize - 1) / sb.BlockSize;
        for (var h = 0; h < sb.GroupCount; h++)
        {
            Mark(gd.BlockBitmap(h), 1);
            Mark(gd.InodeBitmap(h), 1);
            Mark(gd.InodeTable(h), itableBlocks);
        }

        return used.Distinct();
    }

    private byte[] InodeBitmapForWrite(int g)
    {
        var block = gd.InodeBitmap(g);
        if ((gd.Flags(g) & GroupDescriptors.FlagInodeUninit) == 0)
        {
            ReadInodeBitmap(g);
            return cache.GetForWrite(block);
        }

        var bitmap = cache.CreateZeroed(block);
        for (var bit = sb.InodesPerGroup; bit < sb.BlockSize * 8; bit++)
        {
            SetBit(bitmap, bit);
        }

        gd.SetFlags(g, (ushort)(gd.Flags(g) & ~GroupDescriptors.FlagInodeUninit));
        SealInodeBitmap(g, bitmap);
        return bitmap;
    }

    /// <summary>The block bitmap of an initialised group, its metadata_csum checksum verified.</summary>
    public byte[] ReadBlockBitmap(int g)
    {
        var block = gd.BlockBitmap(g);
        var bitmap = cache.Get(block);
        if (sb.MetadataCsum)
        {
            var (stored, full) = gd.BlockBitmapChecksum(g);
            var crc = Crc32C.Update(sb.ChecksumSeed, bitmap.AsSpan(0, sb.BlocksPerGroup / 8));
            if (stored != (full ? crc : crc & 0xFFFF))
            {
                throw new InvalidImageException($"ext4: block bitmap of group {g} (block {block}, offset 0x{block * sb.BlockSize:x}) checksum mismatch");
            }
        }

        return bitmap;
    }

    /// <summary>The inode bitmap of an initialised group, its metadata_csum checksum verified.</summary>
    public byte[] ReadInodeBitmap(int g)
    {
        var block = gd.InodeBitmap(g);
        var bitmap = cache.Get(block);
        if (sb.MetadataCsum)
        {
            var (stored, full) = gd.InodeBitmapChecksum(g);
            var crc = Crc32C.Update(sb.ChecksumSeed, bitmap.AsSpan(0, sb.InodesPerGroup / 8));
            if (stored != (full ? crc : crc & 0xFFFF))
            {
                throw new InvalidImageException($"ext4: inode bitmap of group {g} (block {block}, offset 0x{block * sb.BlockSize:x}) checksum mismatch");
            }
        }

        return bitmap;
    }

    private void SealBlockBitmap(int g, byte[] bitmap)
    {
        if (sb.MetadataCsum)
        {
            gd.SetBitmapChecksums(g, Crc32C.Update(sb.ChecksumSeed, bitmap.AsSpan(0, sb.BlocksPerGroup / 8)), null);
        }
    }

    private void SealInodeBitmap(int g, byte[] bitmap)
    {
        if (sb.MetadataCsum)
        {
            gd.SetBitmapChecksums(g, null, Crc32C.Update(sb.ChecksumSeed, bitmap.AsSpan(0, sb.InodesPerGroup / 8)));
        }
    }

    private static bool TestBit(byte[] bitmap, int bit) => (bitmap[bit >> 3] & (1 << (bit & 7))) != 0;

    private static void SetBit(byte[] bitmap, int bit) => bitmap[bit >> 3] |= (byte)(1 << (bit & 7));

    private static void ClearBit(byte[] bitmap, int bit) => bitmap[bit >> 3] &= (byte)~(1 << (bit & 7));
}
