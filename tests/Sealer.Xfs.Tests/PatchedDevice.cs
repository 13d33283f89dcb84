using Sealer.Core.IO;

namespace Sealer.Xfs.Tests;

/// <summary>A read-only view of a device with some bytes replaced (corruptions for hostile-image tests) that also
/// records every range read, so fuzzing can aim at the structures the reader actually visits.</summary>
internal sealed class PatchedDevice(IBlockDevice inner) : IBlockDevice
{
    private readonly List<(long Offset, byte[] Bytes)> _patches = [];

    public List<(long Offset, int Length)> Reads { get; } = [];

    public long Length => inner.Length;

    public int SectorSize => inner.SectorSize;

    public bool CanWrite => false;

    public void Patch(long offset, ReadOnlySpan<byte> bytes) => _patches.Add((offset, bytes.ToArray()));

    public void ClearPatches() => _patches.Clear();

    public void Read(long offset, Span<byte> destination)
    {
        inner.Read(offset, destination);
        Reads.Add((offset, destination.Length));
        foreach (var (at, bytes) in _patches)
        {
            var start = Math.Max(at, offset);
            var end = Math.Min(at + bytes.Length, offset + destination.Length);
            if (start < end)
            {
                bytes.AsSpan((int)(start - at), (int)(end - start)).CopyTo(destination[(int)(start - offset)..]);
            }
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> source) => throw new InvalidOperationException("the reader must never write");

    public void Flush()
    {
    }

    public void Dispose() => inner.Dispose();
}
