using System.Buffers.Binary;
using System.Text;
using Org.BouncyCastle.Math;

namespace Sealer.Identity;

/// <summary>
/// Builds SSH wire-format data (RFC 4251 section 5): uint32 big-endian, length-prefixed strings and mpints.
/// </summary>
internal sealed class SshWireWriter
{
    private readonly MemoryStream buffer = new();

    public int Length => (int)buffer.Length;

    public void WriteUInt32(uint value)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, value);
        buffer.Write(word);
    }

    public void WriteString(ReadOnlySpan<byte> value)
    {
        WriteUInt32((uint)value.Length);
        buffer.Write(value);
    }

    public void WriteString(string value) => WriteString(Encoding.UTF8.GetBytes(value));

    /// <summary>An mpint: two's complement big-endian, minimal, with a leading zero when the top bit is set; zero is empty.</summary>
    public void WriteMpint(BigInteger value)
    {
        if (value.SignValue < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "SSH key material is never negative");
        }

        // BouncyCastle's ToByteArray is already the signed, minimal big-endian form an mpint needs.
        WriteString(value.SignValue == 0 ? [] : value.ToByteArray());
    }

    public void WriteRaw(ReadOnlySpan<byte> value) => buffer.Write(value);

    public void WriteByte(byte value) => buffer.WriteByte(value);

    public byte[] ToArray() => buffer.ToArray();
}
