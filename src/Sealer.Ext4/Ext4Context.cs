namespace Sealer.Ext4;

/// <summary>The shared state of one opened filesystem: validated superblock, metadata cache and the allocators.</summary>
internal sealed class Ext4Context
{
    public Ext4Context(Ext4Superblock sb, BlockCache cache)
    {
        Sb = sb;
        Cache = cache;
        Groups = new GroupDescriptors(sb, cache);
        Inodes = new InodeTable(sb, Groups, cache);
        SuperWriter = new SuperblockWriter(sb, cache);
        Allocator = new Allocator(sb, Groups, cache, SuperWriter);
        Zone = SystemZone.Empty(sb);
    }

    public Ext4Superblock Sb { get; }

    public BlockCache Cache { get; }

    public GroupDescriptors Groups { get; }

    public InodeTable Inodes { get; }

    public SuperblockWriter SuperWriter { get; }

    public Allocator Allocator { get; }

    /// <summary>Metadata blocks no file may point at; empty until <see cref="BuildSystemZone"/> (after the descriptors are validated).</summary>
    public SystemZone Zone { get; private set; }

    public int BlockSize => Sb.BlockSize;

    public bool HugeFile => Sb.HasRoCompat(Ext4Features.RoCompatHugeFile);

    /// <summary>Ownership proof for frees, allocations and in-place rewrites; null until <see cref="BuildSystemZone"/>.</summary>
    public OwnershipIndex? Owners { get; private set; }

    /// <summary>Computes the system zone and arms the ownership guard (the scan itself waits for the first change).</summary>
    public void BuildSystemZone()
    {
        Zone = SystemZone.Build(this);
        var owners = new OwnershipIndex(this);
        Owners = owners;
        Allocator.Owners = owners;
        Cache.WriteCheck = block => owners.CheckInPlaceWrite(block, 1);
    }

    /// <summary>Refuses an inode whose xattr block (i_file_acl) lies outside the file system or on metadata.</summary>
    public void CheckXattrBlock(Ext4Inode inode)
    {
        if (inode.FileAcl != 0)
        {
            Zone.Check(inode.FileAcl, 1, $"the xattr block (i_file_acl) of inode {inode.Number}");
        }
    }

    /// <summary>Allocates exactly <paramref name="count"/> blocks as one or more runs near <paramref name="goal"/>.</summary>
    public List<(long Start, long Count)> AllocateRuns(long goal, long count)
    {
        var runs = new List<(long Start, long Count)>();
        var remaining = count;
        while (remaining > 0)
        {
            var (start, n) = Allocator.AllocateBlocks(goal, (int)Math.Min(remaining, 32768));
            for (var b = start; b < start + n; b++)
            {
                Cache.Forget(b);
            }

            if (runs.Count > 0 && runs[^1].Start + runs[^1].Count == start)
            {
                runs[^1] = (runs[^1].Start, runs[^1].Count + n);
            }
            else
            {
                runs.Add((start, n));
            }

            remaining -= n;
            goal = start + n;
        }

        return runs;
    }

    /// <summary>Goal block for new data of an inode: its own group, so files stay near their inode.</summary>
    public long GoalFor(Ext4Inode inode, FileMap map)
    {
        if (map.Extents.Count > 0)
        {
            var last = map.Extents[^1];
            return last.Physical + last.Length;
        }

        var group = (inode.Number - 1) / (uint)Sb.InodesPerGroup;
        return Groups.GroupFirstBlock(group);
    }
}
