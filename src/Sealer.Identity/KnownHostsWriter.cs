using System.Security.Cryptography;
using System.Text;

namespace Sealer.Identity;

/// <summary>
/// Writes OpenSSH known_hosts lines: plain ("name1,name2 type base64") or with hashed names
/// ("|1|base64(salt)|base64(HMAC-SHA1(salt, name))"), as OpenSSH's hostfile.c does.
/// </summary>
public sealed class KnownHostsWriter
{
    private const string HashMagic = "|1|";
    private const int SaltLength = 20; // SHA-1's output size, as hostfile.c uses
    private const int DefaultSshPort = 22;

    private readonly StringBuilder text = new();

    /// <summary>The lines written so far, each ending with a newline.</summary>
    public override string ToString() => text.ToString();

    /// <summary>
    /// The name as known_hosts stores it: the bare host for port 22, "[host]:port" otherwise.
    /// </summary>
    public static string HostPattern(string host, int port = DefaultSshPort)
    {
        ValidateName(host);
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "a TCP port is 1..65535");
        }

        return port == DefaultSshPort ? host : $"[{host}]:{port}";
    }

    /// <summary>A hashed name: a fresh random salt and HMAC-SHA1 of the name keyed with it.</summary>
    public static string HashName(string pattern)
    {
        ValidateName(pattern);
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        return HashName(pattern, salt);
    }

    /// <summary>A hashed name with a given salt (for a reproducible line).</summary>
    public static string HashName(string pattern, ReadOnlySpan<byte> salt)
    {
        ValidateName(pattern);
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"a known_hosts salt is {SaltLength} bytes", nameof(salt));
        }

        // HMAC-SHA1 is what OpenSSH's "|1|" format is defined as; it hides names, it does not authenticate keys.
#pragma warning disable CA5350
        var mac = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(pattern));
#pragma warning restore CA5350
        return $"{HashMagic}{Convert.ToBase64String(salt)}|{Convert.ToBase64String(mac)}";
    }

    /// <summary>
    /// Adds the lines for one host key reachable under <paramref name="hosts"/> on <paramref name="port"/>.
    /// Plain: one line with all names, comma-separated. Hashed: one line per name (a hash carries one name).
    /// </summary>
    public void Add(IReadOnlyList<string> hosts, SshHostKey key, bool hashed, int port = DefaultSshPort)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (hosts.Count == 0)
        {
            throw new ArgumentException("a known_hosts line needs at least one host name", nameof(hosts));
        }

        var patterns = hosts.Select(h => HostPattern(h, port)).ToList();
        if (hashed)
        {
            foreach (var pattern in patterns)
            {
                text.Append(HashName(pattern)).Append(' ').Append(key.PublicKey).Append('\n');
            }
        }
        else
        {
            text.Append(string.Join(',', patterns)).Append(' ').Append(key.PublicKey).Append('\n');
        }
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            // Separators and pattern characters of the known_hosts syntax cannot appear in a stored name.
            if (c <= ' ' || c == ',' || c == '#' || c == '*' || c == '?' || c == '!' || c == '|' || c > '~')
            {
                throw new ArgumentException($"'{name}' is not a host name known_hosts can hold", nameof(name));
            }
        }
    }
}
