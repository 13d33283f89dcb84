using System.Text.RegularExpressions;
using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Identity.Tests;

/// <summary>Every generated key is checked by OpenSSH's own ssh-keygen, the independent oracle.</summary>
[TestFixture]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Parallelizable(ParallelScope.Children)]
public sealed class SshHostKeyTests
{
    private static readonly SshKeyType[] AllTypes = [SshKeyType.Ed25519, SshKeyType.EcdsaNistp256, SshKeyType.Rsa];

    [SetUp]
    public void RequireSshKeygen() => ExternalTool.Require("ssh-keygen");

    private static string WriteKey(TempDirectory dir, SshHostKey key)
    {
        var path = dir.File(key.Type.HostKeyFileName());
        File.WriteAllText(path, key.PrivateKeyFile);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path + ".pub", key.PublicKeyLine);
        return path;
    }

    private static string WithoutComment(string pubLine)
    {
        var fields = pubLine.Trim().Split(' ');
        return $"{fields[0]} {fields[1]}";
    }

    [TestCaseSource(nameof(AllTypes))]
    public void Private_key_is_accepted_by_ssh_keygen_and_derives_our_public_key(SshKeyType type)
    {
        using var dir = new TempDirectory("sealer-identity");
        var key = SshHostKey.Generate(type, "root@clone-1");
        var path = WriteKey(dir, key);

        var derived = ExternalTool.Check("ssh-keygen", "-y", "-f", path);
        Assert.That(WithoutComment(derived), Is.EqualTo(WithoutComment(key.PublicKeyLine)));
        Assert.That(key.PublicKeyLine, Does.StartWith(type.WireName() + " ").And.EndWith(" root@clone-1\n"));
    }

    [TestCaseSource(nameof(AllTypes))]
    public void Private_file_layout_follows_protocol_key(SshKeyType type)
    {
        var key = SshHostKey.Generate(type, "c");
        var lines = key.PrivateKeyFile.Split('\n');
        Assert.That(lines[0], Is.EqualTo("-----BEGIN OPENSSH PRIVATE KEY-----"));
        Assert.That(lines[^1], Is.Empty, "file ends with a newline");
        Assert.That(lines[^2], Is.EqualTo("-----END OPENSSH PRIVATE KEY-----"));
        var body = lines[1..^2];
        Assert.That(body[..^1].All(l => l.Length == 70), Is.True, "armour is wrapped at 70 columns");
        Assert.That(body[^1].Length, Is.InRange(1, 70));
        var raw = Convert.FromBase64String(string.Concat(body));
        Assert.That(System.Text.Encoding.ASCII.GetString(raw, 0, 15), Is.EqualTo("openssh-key-v1\0"));
    }

    [TestCaseSource(nameof(AllTypes))]
    public void Fingerprint_and_bits_match_ssh_keygen_l(SshKeyType type)
    {
        using var dir = new TempDirectory("sealer-identity");
        var key = SshHostKey.Generate(type, "root@fp");
        var path = WriteKey(dir, key);
        var expected = $"{key.Bits} {key.Fingerprint} root@fp ({type.FamilyName()})";

        Assert.That(ExternalTool.Check("ssh-keygen", "-l", "-f", path + ".pub").Trim(), Is.EqualTo(expected));
        Assert.That(ExternalTool.Check("ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub").Trim(), Is.EqualTo(expected));
        Assert.That(key.Fingerprint, Does.Match("^SHA256:[A-Za-z0-9+/]{43}$"));
        Assert.That(key.Bits, Is.EqualTo(type == SshKeyType.Rsa ? SshHostKey.DefaultRsaBits : 256));
    }

    [Test]
    public void Rsa_size_is_honoured_and_checked()
    {
        using var dir = new TempDirectory("sealer-identity");
        var key = SshHostKey.Generate(SshKeyType.Rsa, "r", rsaBits: 2048);
        var path = WriteKey(dir, key);
        Assert.That(ExternalTool.Check("ssh-keygen", "-l", "-f", path), Does.StartWith("2048 " + key.Fingerprint + " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => SshHostKey.Generate(SshKeyType.Rsa, "r", rsaBits: 1024));
    }

    [Test]
    public void Rsa_crt_fields_pass_openssl_check()
    {
        // OpenSSL silently falls back from a bad CRT, so ssh-keygen -y and signing alone would not notice a
        // wrong p/q/iqmp order. Rewriting the key as PEM keeps our fields; openssl rsa -check tests each of them.
        ExternalTool.Require("openssl");
        using var dir = new TempDirectory("sealer-identity");
        var key = SshHostKey.Generate(SshKeyType.Rsa, "root@crt", rsaBits: 2048);
        var path = WriteKey(dir, key);
        ExternalTool.Check("ssh-keygen", "-q", "-p", "-N", "", "-m", "PEM", "-f", path);
        var check = ExternalTool.Run("openssl", "rsa", "-check", "-noout", "-in", path);
        Assert.That(check.ExitCode, Is.Zero, check.ToString());
        Assert.That(check.StdOut + check.StdErr, Does.Contain("RSA key ok"));
    }

    [TestCaseSource(nameof(AllTypes))]
    public void Two_generations_never_share_a_key(SshKeyType type)
    {
        var a = SshHostKey.Generate(type, "same");
        var b = SshHostKey.Generate(type, "same");
        Assert.That(a.PublicKeyBlob, Is.Not.EqualTo(b.PublicKeyBlob));
        Assert.That(a.Fingerprint, Is.Not.EqualTo(b.Fingerprint));
        Assert.That(a.PrivateKeyFile, Is.Not.EqualTo(b.PrivateKeyFile));
    }

    [Test]
    public void Many_ed25519_keys_are_all_distinct()
    {
        var fingerprints = Enumerable.Range(0, 200).Select(_ => SshHostKey.Generate(SshKeyType.Ed25519, "x").Fingerprint).ToHashSet();
        Assert.That(fingerprints, Has.Count.EqualTo(200));
    }

    [Test]
    public void Comment_must_be_one_line() =>
        Assert.Throws<ArgumentException>(() => SshHostKey.Generate(SshKeyType.Ed25519, "a\nb"));

    [TestCaseSource(nameof(AllTypes))]
    public void Ssh_keygen_signature_made_with_the_private_key_verifies_with_the_public_key(SshKeyType type)
    {
        using var dir = new TempDirectory("sealer-identity");
        var key = SshHostKey.Generate(type, "root@sign");
        var path = WriteKey(dir, key);
        var message = dir.File("message");
        File.WriteAllText(message, "sealer clone identity\n");
        ExternalTool.Check("ssh-keygen", "-Y", "sign", "-f", path, "-n", "file", message);
        var signers = dir.File("allowed_signers");
        File.WriteAllText(signers, $"clone@example {key.PublicKey}\n");

        var ok = ExternalTool.Run("ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "clone@example", "-n", "file", "-s", message + ".sig"], stdin: File.ReadAllText(message));
        Assert.That(ok.ExitCode, Is.Zero, ok.ToString());

        // The oracle can say no: another key's public half must not verify the signature.
        var other = SshHostKey.Generate(type, "other");
        File.WriteAllText(signers, $"clone@example {other.PublicKey}\n");
        var bad = ExternalTool.Run("ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "clone@example", "-n", "file", "-s", message + ".sig"], stdin: File.ReadAllText(message));
        Assert.That(bad.ExitCode, Is.Not.Zero, bad.ToString());
    }
}
