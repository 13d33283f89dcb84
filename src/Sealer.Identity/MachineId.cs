using System.Security.Cryptography;

namespace Sealer.Identity;

/// <summary>
/// A systemd machine-id: 128 random bits as 32 lowercase hex digits, with the UUID version 4 and
/// RFC 4122 variant bits set the way systemd's sd_id128_randomize sets them.
/// </summary>
public static class MachineId
{
    private const int Length = 16;
    private const int VersionByte = 6;
    private const int VariantByte = 8;

    /// <summary>A new random machine-id (32 lowercase hex characters, no newline).</summary>
    public static string Generate()
    {
        Span<byte> id = stackalloc byte[Length];
        RandomNumberGenerator.Fill(id);
        id[VersionByte] = (byte)((id[VersionByte] & 0x0F) | 0x40);
        id[VariantByte] = (byte)((id[VariantByte] & 0x3F) | 0x80);
        return Convert.ToHexStringLower(id);
    }

    /// <summary>True when <paramref name="value"/> is 32 lowercase hex digits (what /etc/machine-id holds).</summary>
    public static bool IsValid(string value) =>
        value.Length == Length * 2 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
