using Sealer.Core.Errors;
using Sealer.Core.IO;

namespace Sealer.Ext4.Journal;

/// <summary>Reads journal blocks through the journal inode's block map, with the circular log's wrap rule.</summary>
internal sealed class JournalLog
{
    private readonly IBlockDevice _device;
    private readonly JournalBlockMap _map;
    private readonly long _deviceBlocks;
    private readonly uint _maxLength;

    public JournalLog(IBlockDevice device, int blockSize, JournalBlockMap map, uint maxLength)
    {
        _device = device;
        _map = map;
        _maxLength = maxLength;
        BlockSize = blockSize;
        _deviceBlocks = device.Length / blockSize;
    }

    public int BlockSize { get; }

    /// <summary>First log block (s_first).</summary>
    public uint First { get; private set; }

    /// <summary>One past the last log block (j_last): s_maxlen, minus the fast-commit area when there is one.</summary>
    public uint Last { get; private set; }

    /// <summary>Number of blocks the circular log holds.</summary>
    public long Capacity => Last - First;

    public void SetLogArea(uint first, uint last)
    {
        First = first;
        Last = last;
    }

    /// <summary>The block <paramref name="count"/> blocks after <paramref name="block"/>, wrapping from Last back to First.</summary>
    public uint Advance(uint block, long count)
    {
        // Callers never advance by more than the capacity, so one subtraction is enough.
        var next = block + count;
        if (next >= Last)
        {
            next -= Capacity;
        }

        return (uint)next;
    }

    /// <summary>Filesystem block holding journal block <paramref name="journalBlock"/>, range-checked.</summary>
    public long ToFileSystemBlock(uint journalBlock)
    {
        if (journalBlock >= _maxLength)
        {
            throw new InvalidImageException($"jbd2: journal block {journalBlock} is past the journal end ({_maxLength} blocks)");
        }

        var fsBlock = _map(journalBlock);
        if (fsBlock <= 0 || fsBlock >= _deviceBlocks)
        {
            throw new InvalidImageException(
                $"jbd2: journal block {journalBlock} maps to filesystem block {fsBlock}, outside the device ({_deviceBlocks} blocks)");
        }

        return fsBlock;
    }

    public void Read(uint journalBlock, Span<byte> destination)
    {
        var fsBlock = ToFileSystemBlock(journalBlock);
        _device.Read(checked(fsBlock * BlockSize), destination[..BlockSize]);
    }

    /// <summary>Whether filesystem block <paramref name="fsBlock"/> exists on the device.</summary>
    public bool IsFileSystemBlock(ulong fsBlock) => fsBlock < (ulong)_deviceBlocks;
}
