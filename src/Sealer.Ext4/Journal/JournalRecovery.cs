using System.Buffers.Binary;
using Sealer.Core.Errors;

namespace Sealer.Ext4.Journal;

/// <summary>A journal data block to copy to filesystem block <c>key</c>: its log position and whether it was escaped.</summary>
internal readonly record struct PlannedWrite(uint JournalBlock, bool Escaped);

/// <summary>
/// The kernel's three recovery passes over the log (SCAN, REVOKE, REPLAY), with the same stop rules. Nothing is
/// written here: REPLAY only builds the plan (later transactions replace earlier copies of a block), so every check
/// runs before the first write.
/// </summary>
internal sealed class JournalRecovery
{
    private enum Pass
    {
        Scan,
        Revoke,
        Replay,
    }

    private readonly JournalLog _log;
    private readonly JournalSuperblock _superblock;
    private readonly DescriptorTags _tags;
    private readonly JournalChecksums _checksums;
    private readonly RevokeTable _revokes = new();
    private readonly byte[] _block;
    private readonly byte[] _data;
    private readonly bool _hasCompatChecksum;
    private readonly bool _hasAsyncCommit;
    private uint _endTransaction;
    private bool _scanned;

    public JournalRecovery(JournalLog log, JournalSuperblock superblock)
    {
        _log = log;
        _superblock = superblock;
        _tags = new DescriptorTags(superblock.Incompat, log.BlockSize);
        _checksums = new JournalChecksums(superblock);
        _block = new byte[log.BlockSize];
        _data = new byte[log.BlockSize];
        _hasCompatChecksum = (superblock.Compat & JournalCompat.Checksum) != 0;
        _hasAsyncCommit = (superblock.Incompat & JournalIncompat.AsyncCommit) != 0;
    }

    /// <summary>The first transaction that is not replayed (valid after <see cref="Scan"/>).</summary>
    public uint EndTransaction => _scanned ? _endTransaction : throw new InvalidOperationException("scan the log first");

    public int CommittedTransactions => unchecked((int)(EndTransaction - _superblock.Sequence));

    /// <summary>Filesystem block -> newest journal copy to write there.</summary>
    public Dictionary<ulong, PlannedWrite> Plan { get; } = [];

    public void Scan()
    {
        Walk(Pass.Scan);
        _scanned = true;
    }

    public void CollectRevokesAndPlan()
    {
        _ = EndTransaction;
        Walk(Pass.Revoke);
        Walk(Pass.Replay);
    }

    private void Walk(Pass pass)
    {
        var cursor = new Cursor(_superblock.Sequence, _superblock.Start);
        while (pass == Pass.Scan || !JournalFormat.TidGreaterOrEqual(cursor.Tid, _endTransaction))
        {
            var at = cursor.Next;
            _log.Read(at, _block);
            cursor.Used++;
            cursor.Next = _log.Advance(at, 1);

            if (BinaryPrimitives.ReadUInt32BigEndian(_block) != JournalFormat.Magic
                || BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(8)) != cursor.Tid)
            {
                break;
            }

            // Only a log that wrapped onto its own start can get here; the kernel would loop forever.
            if (cursor.Used > _log.Capacity)
            {
                throw new InvalidImageException(
                    $"jbd2: log does not end: transaction {cursor.Tid} wraps onto itself at journal block {at}");
            }

            var type = BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(4));
            var goOn = type switch
            {
                JournalFormat.DescriptorBlock => OnDescriptor(pass, cursor, at),
                JournalFormat.CommitBlock => OnCommit(pass, cursor, at),
                JournalFormat.RevokeBlock => OnRevoke(pass, cursor, at),
                _ => false,
            };
            if (!goOn)
            {
                break;
            }
        }

        if (pass == Pass.Scan)
        {
            _endTransaction = cursor.FailedAt ?? cursor.Tid;
        }
    }

    private bool OnDescriptor(Pass pass, Cursor cursor, uint at)
    {
        if (!_checksums.VerifyBlockTail(_block))
        {
            // SCAN may meet stale blocks of an old log; the commit time decides (OnCommit) whether that is corruption.
            if (pass != Pass.Scan)
            {
                throw new InvalidImageException($"jbd2: descriptor block checksum mismatch at journal block {at} (transaction {cursor.Tid})");
            }

            cursor.NeedCheckCommitTime = true;
        }

        var tags = _tags.Read(_block);
        if (cursor.Used + tags.Count > _log.Capacity)
        {
            throw new InvalidImageException(
                $"jbd2: descriptor block at journal block {at} (transaction {cursor.Tid}) describes {tags.Count} blocks, more than the log holds");
        }

        if (pass == Pass.Replay)
        {
            PlanWrites(tags, cursor.Next, cursor.Tid, at);
        }
        else if (pass == Pass.Scan && _hasCompatChecksum && !cursor.NeedCheckCommitTime && cursor.FailedAt is null)
        {
            cursor.Crc32Sum = SumDescriptor(tags.Count, cursor.Next, cursor.Crc32Sum);
        }

        cursor.Next = _log.Advance(cursor.Next, tags.Count);
        cursor.Used += tags.Count;
        return true;
    }

    private bool OnCommit(Pass pass, Cursor cursor, uint at)
    {
        var commitTime = BinaryPrimitives.ReadUInt64BigEndian(_block.AsSpan(JournalFormat.CommitSecondsOffset));
        if (cursor.NeedCheckCommitTime)
        {
            // A bad descriptor/revoke checksum in a transaction that commits later than the previous one is real
            // corruption; an older commit time means stale blocks of a previous log: the log ends here.
            if (commitTime >= cursor.LastCommitTime)
            {
                throw new InvalidImageException($"jbd2: checksum mismatch in transaction {cursor.Tid} (commit block at journal block {at})");
            }

            return false;
        }

        var commitValid = true;
        if (pass == Pass.Scan && _hasCompatChecksum)
        {
            if (cursor.FailedAt is not null)
            {
                return false;
            }

            commitValid = IsCompatChecksumValid(cursor.Crc32Sum);
            cursor.Crc32Sum = uint.MaxValue;
        }

        if (pass == Pass.Scan && commitValid)
        {
            commitValid = _checksums.VerifyCommit(_block);
        }

        if (!commitValid)
        {
            if (commitTime < cursor.LastCommitTime)
            {
                return false;
            }

            // Replay ends before a transaction whose commit fails its checksum. (With ASYNC_COMMIT the kernel keeps
            // scanning and a later failure moves the end; keeping the first failure replays less, never more.)
            cursor.FailedAt ??= cursor.Tid;
            if (!_hasAsyncCommit)
            {
                return false;
            }
        }

        if (pass == Pass.Scan)
        {
            cursor.LastCommitTime = commitTime;
        }

        cursor.Tid++;
        return true;
    }

    private bool OnRevoke(Pass pass, Cursor cursor, uint at)
    {
        if (pass == Pass.Scan && !_checksums.VerifyBlockTail(_block))
        {
            cursor.NeedCheckCommitTime = true;
        }

        if (pass == Pass.Revoke)
        {
            AddRevokes(at, cursor.Tid);
        }

        return true;
    }

    private bool IsCompatChecksumValid(uint crc32Sum)
    {
        var found = BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(JournalFormat.CommitChecksumOffset));
        var type = _block[JournalFormat.CommitChecksumTypeOffset];
        var size = _block[JournalFormat.CommitChecksumSizeOffset];
        var matches = found == crc32Sum && type == JournalFormat.Crc32ChecksumType && size == JournalFormat.Crc32ChecksumSize;
        var unused = type == 0 && size == 0 && found == 0;
        return matches || unused;
    }

    /// <summary>COMPAT_CHECKSUM: crc32_be running over the descriptor and its data blocks.</summary>
    private uint SumDescriptor(int dataBlocks, uint firstData, uint crc)
    {
        crc = Crc32Be.Update(crc, _block);
        var at = firstData;
        for (var i = 0; i < dataBlocks; i++)
        {
            _log.Read(at, _data);
            crc = Crc32Be.Update(crc, _data);
            at = _log.Advance(at, 1);
        }

        return crc;
    }

    private void PlanWrites(List<DescriptorTag> tags, uint firstData, uint tid, uint descriptorAt)
    {
        var at = firstData;
        foreach (var tag in tags)
        {
            var source = at;
            at = _log.Advance(at, 1);
            if (_revokes.IsRevoked(tag.FileSystemBlock, tid))
            {
                continue;
            }

            if (!_log.IsFileSystemBlock(tag.FileSystemBlock))
            {
                throw new InvalidImageException(
                    $"jbd2: descriptor block at journal block {descriptorAt} (transaction {tid}) targets filesystem block {tag.FileSystemBlock}, outside the device");
            }

            _ = _log.ToFileSystemBlock(source);
            if (_superblock.HasCsumV2OrV3)
            {
                // The kernel skips such a block and fails the recovery; failing before any write is the offline equivalent.
                _log.Read(source, _data);
                if (!_checksums.VerifyData(tag, tid, _data))
                {
                    throw new InvalidImageException(
                        $"jbd2: data block checksum mismatch for filesystem block {tag.FileSystemBlock} at journal block {source} (transaction {tid})");
                }
            }

            Plan[tag.FileSystemBlock] = new PlannedWrite(source, tag.IsEscaped);
        }
    }

    private void AddRevokes(uint at, uint tid)
    {
        var used = BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(JournalFormat.HeaderSize));
        var limit = _log.BlockSize - (_superblock.HasCsumV2OrV3 ? JournalFormat.BlockTailSize : 0);
        if (used > limit)
        {
            throw new InvalidImageException(
                $"jbd2: revoke block at journal block {at} (transaction {tid}) claims {used} bytes of records, more than the block holds");
        }

        var recordSize = (_superblock.Incompat & JournalIncompat.Bit64) != 0 ? 8 : 4;
        for (var offset = JournalFormat.RevokeHeaderSize; offset + recordSize <= used; offset += recordSize)
        {
            var block = recordSize == 8
                ? BinaryPrimitives.ReadUInt64BigEndian(_block.AsSpan(offset))
                : BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(offset));
            _revokes.Add(block, tid);
        }
    }

    /// <summary>Where one pass is in the log, and what SCAN has learnt so far.</summary>
    private sealed class Cursor(uint tid, uint next)
    {
        public uint Tid { get; set; } = tid;

        public uint Next { get; set; } = next;

        /// <summary>Log blocks consumed so far; bounded by the log capacity.</summary>
        public long Used { get; set; }

        public uint? FailedAt { get; set; }

        public bool NeedCheckCommitTime { get; set; }

        public ulong LastCommitTime { get; set; }

        public uint Crc32Sum { get; set; } = uint.MaxValue;
    }
}
