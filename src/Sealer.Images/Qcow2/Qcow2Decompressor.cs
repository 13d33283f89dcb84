using System.IO.Compression;
using Sealer.Core.Errors;
using ZstdSharp;

namespace Sealer.Images.Qcow2;

/// <summary>Decompresses compressed clusters (raw deflate or zstd frames) and keeps the last one for sequential reads.</summary>
internal sealed class Qcow2Decompressor(int compressionType, int clusterSize, Qcow2Decompressor.HostReader readHost)
{
    private readonly byte[] _output = new byte[clusterSize];
    private byte[]? _input;
    private ulong _cachedEntry;
    private bool _cached;

    public delegate void HostReader(long hostOffset, Span<byte> destination);

    /// <summary>Returns the cluster described by <paramref name="entry"/>; the span is valid until the next call.</summary>
    public ReadOnlySpan<byte> Get(ulong entry, long hostOffset, int length, long guestOffset)
    {
        if (_cached && _cachedEntry == entry)
        {
            return _output;
        }

        _cached = false;
        _input ??= new byte[clusterSize * 2];
        if (length <= 0 || length > _input.Length)
        {
            throw new InvalidImageException($"qcow2: compressed cluster at host 0x{hostOffset:x} has invalid length {length} (guest offset 0x{guestOffset:x})");
        }

        readHost(hostOffset, _input.AsSpan(0, length));
        int produced;
        try
        {
            using var source = new MemoryStream(_input, 0, length, writable: false);
            using Stream decoder = compressionType == 0
                ? new DeflateStream(source, CompressionMode.Decompress)
                : new DecompressionStream(source, checkEndOfStream: false);
            produced = decoder.ReadAtLeast(_output, _output.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException or IOException)
        {
            throw new InvalidImageException($"qcow2: compressed cluster at host 0x{hostOffset:x} cannot be decompressed (guest offset 0x{guestOffset:x}): {e.Message}", e);
        }

        if (produced != clusterSize)
        {
            throw new InvalidImageException($"qcow2: compressed cluster at host 0x{hostOffset:x} decompresses to {produced} bytes, expected {clusterSize} (guest offset 0x{guestOffset:x})");
        }

        _cachedEntry = entry;
        _cached = true;
        return _output;
    }

    /// <summary>Drops the cached cluster (host clusters may be reused after a write).</summary>
    public void Invalidate() => _cached = false;
}
