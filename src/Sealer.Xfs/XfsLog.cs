using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Xfs;

/// <summary>
/// Whether the internal log is clean: finds the log head the way log recovery does (each 512-byte log block starts
/// with its cycle number, or a record header carrying it; the head is where the cycle drops) and checks that the
/// last record before the head is an unmount record. A dirty log means the kernel would replay transactions the
/// on-disk metadata does not contain yet.
/// </summary>
internal static class XfsLog
{
    private const uint HeaderMagic = 0xFEEDBABE;
    private const int BasicBlock = 512;
    private const int OffCycle = 4;
    private const int OffVersion = 8;
    private const int OffNumLogOps = 40;
    private const int OffSize = 320;
    private const int CycleChunk = 32768;
    private const byte ClientLog = 0xAA;
    private const byte FlagUnmount = 0x20;
    private const int MaxBackwardSearch = 8192;

    public enum State
    {
        Clean,
        Dirty,
        External,
    }

    public static State Inspect(XfsVolume vol)
    {
        var sb = vol.Sb;
        if (sb.LogStart == 0)
        {
            return State.External;
        }

        var start = sb.FsBlockToOffset(sb.LogStart);
        var blocks = (long)sb.LogBlocks * sb.BlockSize / BasicBlock;
        if (blocks < 2)
        {
            throw new InvalidImageException($"xfs: log of {sb.LogBlocks} blocks is too small (superblock offset 0x60)");
        }

        var buffer = new byte[BasicBlock];
        uint Cycle(long bb)
        {
            vol.ReadAt(start + (bb * BasicBlock), buffer);
            var word = BinaryPrimitives.ReadUInt32BigEndian(buffer);
            return word == HeaderMagic ? BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(OffCycle)) : word;
        }

        var firstCycle = Cycle(0);
        if (firstCycle == 0)
        {
            return State.Clean; // a zeroed log has nothing to replay
        }

        // The head is the first block whose cycle is lower than block 0's (or the end when the log is one cycle).
        long head;
        if (Cycle(blocks - 1) == firstCycle)
        {
            head = blocks;
        }
        else
        {
            long lo = 0, hi = blocks - 1; // Cycle(lo) == firstCycle, Cycle(hi) != firstCycle
            while (hi - lo > 1)
            {
                var mid = lo + ((hi - lo) / 2);
                if (Cycle(mid) == firstCycle)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid;
                }
            }

            head = hi;
        }

        // The last record header before the head.
        for (var n = 1; n <= Math.Min(MaxBackwardSearch, blocks); n++)
        {
            var bb = ((head - n) % blocks + blocks) % blocks;
            vol.ReadAt(start + (bb * BasicBlock), buffer);
            if (BinaryPrimitives.ReadUInt32BigEndian(buffer) != HeaderMagic)
            {
                continue;
            }

            var header = buffer.ToArray();
            var version = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(OffVersion));
            var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(OffSize));
            var headerBlocks = version == 2 && size > CycleChunk ? (int)((size + CycleChunk - 1) / CycleChunk) : 1;
            if (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(OffNumLogOps)) != 1)
            {
                return State.Dirty;
            }

            var dataBb = (bb + headerBlocks) % blocks;
            vol.ReadAt(start + (dataBb * BasicBlock), buffer);
            // The first word of every log data block was replaced by the cycle; the op header's own first word
            // (the transaction id) is not needed, so only the client id and flags are read.
            return buffer[8] == ClientLog && (buffer[9] & FlagUnmount) != 0 ? State.Clean : State.Dirty;
        }

        throw new InvalidImageException($"xfs: log: no record header in the {MaxBackwardSearch} blocks before the head at log block {head}");
    }
}
