using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Sealer.Identity;

/// <summary>
/// A freshly generated SSH host key pair, rendered as OpenSSH writes it: the private key file
/// ("openssh-key-v1", unencrypted, see OpenSSH's PROTOCOL.key), the .pub line and the SHA256 fingerprint.
/// The private file holds secret material: callers write it into the guest only, never log it.
/// </summary>
public sealed class SshHostKey
{
    /// <summary>Default RSA modulus size, the same as ssh-keygen's.</summary>
    public const int DefaultRsaBits = 3072;

    private const string AuthMagic = "openssh-key-v1";
    private const string ArmourBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string ArmourEnd = "-----END OPENSSH PRIVATE KEY-----";
    private const int ArmourColumns = 70;

    // Cipher "none" has a block size of 8; the private section is padded to it with 1, 2, 3...
    private const int UnencryptedBlockSize = 8;
    private const string EcdsaCurveName = "nistp256";
    private const int RsaPrimeCertainty = 80;

    private SshHostKey(SshKeyType type, int bits, byte[] publicBlob, string privateKeyFile, string comment)
    {
        Type = type;
        Bits = bits;
        PublicKeyBlob = publicBlob;
        PrivateKeyFile = privateKeyFile;
        Comment = comment;
    }

    /// <summary>The key type.</summary>
    public SshKeyType Type { get; }

    /// <summary>The size ssh-keygen -l reports: 256 for ed25519 and nistp256, the modulus size for RSA.</summary>
    public int Bits { get; }

    /// <summary>The comment stored in the private file and at the end of the .pub line.</summary>
    public string Comment { get; }

    /// <summary>The public key in SSH wire format (what known_hosts and fingerprints are made of).</summary>
    public byte[] PublicKeyBlob { get; }

    /// <summary>The whole private key file, armoured, ending with a newline (secret: do not log).</summary>
    public string PrivateKeyFile { get; }

    /// <summary>"type base64" without comment, as in known_hosts and authorized_keys.</summary>
    public string PublicKey => $"{Type.WireName()} {Convert.ToBase64String(PublicKeyBlob)}";

    /// <summary>The .pub file's single line, with newline: "type base64 comment".</summary>
    public string PublicKeyLine => Comment.Length == 0 ? PublicKey + "\n" : $"{PublicKey} {Comment}\n";

    /// <summary>"SHA256:" and the unpadded base64 of the blob's SHA-256, as ssh-keygen -l prints it.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(PublicKeyBlob)).TrimEnd('=');

    /// <summary>Generates a new key of <paramref name="type"/> from a cryptographic RNG.</summary>
    /// <param name="type">The key type.</param>
    /// <param name="comment">Stored in the private file and the .pub line (OpenSSH uses root@hostname).</param>
    /// <param name="random">The RNG; null uses BouncyCastle's SecureRandom over the OS generator.</param>
    /// <param name="rsaBits">RSA modulus size (2048..16384, a multiple of 8); ignored for other types.</param>
    public static SshHostKey Generate(SshKeyType type, string comment, SecureRandom? random = null, int rsaBits = DefaultRsaBits)
    {
        ArgumentNullException.ThrowIfNull(comment);
        if (comment.Contains('\n', StringComparison.Ordinal) || comment.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException("an SSH key comment is one line", nameof(comment));
        }

        random ??= new SecureRandom();
        return type switch
        {
            SshKeyType.Ed25519 => GenerateEd25519(comment, random),
            SshKeyType.EcdsaNistp256 => GenerateEcdsa(comment, random),
            SshKeyType.Rsa => GenerateRsa(comment, random, rsaBits),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown SSH key type"),
        };
    }

    private static SshHostKey GenerateEd25519(string comment, SecureRandom random)
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(random));
        var pair = generator.GenerateKeyPair();
        var seed = ((Ed25519PrivateKeyParameters)pair.Private).GetEncoded();
        var pub = ((Ed25519PublicKeyParameters)pair.Public).GetEncoded();

        var blob = new SshWireWriter();
        blob.WriteString(SshKeyType.Ed25519.WireName());
        blob.WriteString(pub);

        // OpenSSH stores the 64-byte "secret key" of the ref10 implementation: seed followed by public key.
        var secret = new byte[seed.Length + pub.Length];
        seed.CopyTo(secret, 0);
        pub.CopyTo(secret, seed.Length);
        var file = BuildFile(SshKeyType.Ed25519, blob.ToArray(), comment, random, w =>
        {
            w.WriteString(pub);
            w.WriteString(secret);
        });
        CryptographicOperations.ZeroMemory(secret);
        CryptographicOperations.ZeroMemory(seed);
        return new SshHostKey(SshKeyType.Ed25519, 256, blob.ToArray(), file, comment);
    }

    private static SshHostKey GenerateEcdsa(string comment, SecureRandom random)
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var pair = generator.GenerateKeyPair();
        var q = ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(compressed: false);
        var d = ((ECPrivateKeyParameters)pair.Private).D;

        var blob = new SshWireWriter();
        blob.WriteString(SshKeyType.EcdsaNistp256.WireName());
        blob.WriteString(EcdsaCurveName);
        blob.WriteString(q);
        var file = BuildFile(SshKeyType.EcdsaNistp256, blob.ToArray(), comment, random, w =>
        {
            w.WriteString(EcdsaCurveName);
            w.WriteString(q);
            w.WriteMpint(d);
        });
        return new SshHostKey(SshKeyType.EcdsaNistp256, 256, blob.ToArray(), file, comment);
    }

    private static SshHostKey GenerateRsa(string comment, SecureRandom random, int bits)
    {
        if (bits < 2048 || bits > 16384 || bits % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA host keys are 2048..16384 bits, a multiple of 8");
        }

        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), random, bits, RsaPrimeCertainty));
        var key = (RsaPrivateCrtKeyParameters)generator.GenerateKeyPair().Private;

        var blob = new SshWireWriter();
        blob.WriteString(SshKeyType.Rsa.WireName());
        blob.WriteMpint(key.PublicExponent);
        blob.WriteMpint(key.Modulus);

        // OpenSSH's order: n, e, d, iqmp (q^-1 mod p, which is PKCS#1's coefficient), p, q.
        var file = BuildFile(SshKeyType.Rsa, blob.ToArray(), comment, random, w =>
        {
            w.WriteMpint(key.Modulus);
            w.WriteMpint(key.PublicExponent);
            w.WriteMpint(key.Exponent);
            w.WriteMpint(key.QInv);
            w.WriteMpint(key.P);
            w.WriteMpint(key.Q);
        });
        return new SshHostKey(SshKeyType.Rsa, key.Modulus.BitLength, blob.ToArray(), file, comment);
    }

    /// <summary>The openssh-key-v1 container around one unencrypted key (PROTOCOL.key).</summary>
    private static string BuildFile(SshKeyType type, byte[] publicBlob, string comment, SecureRandom random, Action<SshWireWriter> writePrivateFields)
    {
        var section = new SshWireWriter();
        var checkInt = (uint)random.NextInt();
        section.WriteUInt32(checkInt);
        section.WriteUInt32(checkInt);
        section.WriteString(type.WireName());
        writePrivateFields(section);
        section.WriteString(comment);
        for (byte pad = 1; section.Length % UnencryptedBlockSize != 0; pad++)
        {
            section.WriteByte(pad);
        }

        var outer = new SshWireWriter();
        outer.WriteRaw(Encoding.ASCII.GetBytes(AuthMagic));
        outer.WriteByte(0);
        outer.WriteString("none"); // cipher
        outer.WriteString("none"); // kdf
        outer.WriteString([]); // kdf options
        outer.WriteUInt32(1); // number of keys
        outer.WriteString(publicBlob);
        var sectionBytes = section.ToArray();
        outer.WriteString(sectionBytes);
        CryptographicOperations.ZeroMemory(sectionBytes);

        var outerBytes = outer.ToArray();
        var base64 = Convert.ToBase64String(outerBytes);
        CryptographicOperations.ZeroMemory(outerBytes);
        var text = new StringBuilder(base64.Length + (base64.Length / ArmourColumns) + 80);
        text.Append(ArmourBegin).Append('\n');
        for (var at = 0; at < base64.Length; at += ArmourColumns)
        {
            text.Append(base64, at, Math.Min(ArmourColumns, base64.Length - at)).Append('\n');
        }

        text.Append(ArmourEnd).Append('\n');
        return text.ToString();
    }
}
