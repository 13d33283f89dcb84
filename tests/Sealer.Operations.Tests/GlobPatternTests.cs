using NUnit.Framework;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class GlobPatternTests
{
    [TestCase("*.log*", "syslog.log", true)]
    [TestCase("*.log*", "dpkg.log.1.gz", true)]
    [TestCase("*.log*", "syslog", false)]
    [TestCase("*", ".bash_history", false)]
    [TestCase(".*", ".bash_history", true)]
    [TestCase("ssh_host_*_key", "ssh_host_rsa_key", true)]
    [TestCase("ssh_host_*_key", "ssh_host_rsa_key.pub", false)]
    [TestCase("ifcfg-?", "ifcfg-a", true)]
    [TestCase("ifcfg-?", "ifcfg-ab", false)]
    [TestCase("ifcfg-[a-c]", "ifcfg-b", true)]
    [TestCase("ifcfg-[a-c]", "ifcfg-d", false)]
    [TestCase("ifcfg-[!l]*", "ifcfg-lo", false)]
    [TestCase("ifcfg-[!l]*", "ifcfg-eth0", true)]
    [TestCase("ifcfg-[^l]*", "ifcfg-eth0", true)]
    [TestCase("a\\*b", "a*b", true)]
    [TestCase("a\\*b", "axb", false)]
    [TestCase("[]x]", "]", true)]
    [TestCase("x[", "x[", true)]
    [TestCase("__db.*", "__db.001", true)]
    public void IsMatch(string pattern, string name, bool expected) =>
        Assert.That(GlobPattern.IsMatch(pattern, name), Is.EqualTo(expected));
}
