using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Identity.Tests;

[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class KnownHostsWriterTests
{
    [SetUp]
    public void RequireSshKeygen() => ExternalTool.Require("ssh-keygen");

    private static ExternalTool.Result Find(string knownHosts, string name) =>
        ExternalTool.Run("ssh-keygen", "-F", name, "-f", knownHosts);

    [TestCase(true, 22)]
    [TestCase(false, 22)]
    [TestCase(true, 2222)]
    [TestCase(false, 2222)]
    public void Ssh_keygen_finds_every_name_and_nothing_else(bool hashed, int port)
    {
        using var dir = new TempDirectory("sealer-known-hosts");
        var key = SshHostKey.Generate(SshKeyType.Ed25519, "root@web-1");
        var writer = new KnownHostsWriter();
        writer.Add(["web-1", "10.0.0.5"], key, hashed, port);
        var file = dir.File("known_hosts");
        File.WriteAllText(file, writer.ToString());

        foreach (var name in new[] { "web-1", "10.0.0.5" })
        {
            var lookup = port == 22 ? name : $"[{name}]:{port}";
            var found = Find(file, lookup);
            Assert.That(found.ExitCode, Is.Zero, $"{lookup}: {found}");
            Assert.That(found.StdOut, Does.Contain(key.PublicKey), lookup);
        }

        var absent = Find(file, port == 22 ? "web-2" : "[web-1]:2200");
        Assert.That(absent.ExitCode, Is.Not.Zero, absent.ToString());
        if (port != 22)
        {
            Assert.That(Find(file, "web-1").ExitCode, Is.Not.Zero, "a [host]:port entry must not match port 22");
        }
    }

    [Test]
    public void Plain_and_hashed_line_shapes()
    {
        var key = SshHostKey.Generate(SshKeyType.Ed25519, "c");
        var plain = new KnownHostsWriter();
        plain.Add(["a", "b"], key, hashed: false, port: 2222);
        Assert.That(plain.ToString(), Is.EqualTo($"[a]:2222,[b]:2222 {key.PublicKey}\n"));

        var hashed = new KnownHostsWriter();
        hashed.Add(["a", "b"], key, hashed: true);
        var lines = hashed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines, Has.All.Match(@"^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 "));
        Assert.That(lines[0], Does.Not.Contain(" a ").And.Not.StartWith("a"));
    }

    [Test]
    public void Hash_matches_ssh_keygen_H_for_the_same_salt()
    {
        // ssh-keygen -H hashes a plain file with its own salt; recomputing with that salt must give its hash.
        using var dir = new TempDirectory("sealer-known-hosts");
        var key = SshHostKey.Generate(SshKeyType.Ed25519, "c");
        var file = dir.File("known_hosts");
        File.WriteAllText(file, $"[web-9]:2222 {key.PublicKey}\n");
        ExternalTool.Check("ssh-keygen", "-H", "-f", file);
        var theirs = File.ReadAllText(file).Split(' ')[0];
        var salt = Convert.FromBase64String(theirs.Split('|')[2]);
        Assert.That(KnownHostsWriter.HashName("[web-9]:2222", salt), Is.EqualTo(theirs));
        Assert.That(KnownHostsWriter.HashName("[web-8]:2222", salt), Is.Not.EqualTo(theirs));
    }

    [TestCase("a b")]
    [TestCase("a,b")]
    [TestCase("*.example")]
    [TestCase("")]
    public void Names_known_hosts_cannot_hold_are_refused(string name) =>
        Assert.Throws(Is.InstanceOf<ArgumentException>(), () => KnownHostsWriter.HostPattern(name));

    [Test]
    public void Port_out_of_range_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KnownHostsWriter.HostPattern("a", 0));
}
