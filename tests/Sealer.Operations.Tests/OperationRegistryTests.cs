using NUnit.Framework;
using Sealer.Guest.Inspection;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class OperationRegistryTests
{
    /// <summary>virt-sysprep's Linux operations (sealing-peers.md 1.3) with their defaults; customize and script are
    /// left out on purpose (Sealer runs no programs). ssh-userdir is off on purpose (it locks users out of clones; ssh-user-keys
    /// removes the per-machine part); lvm-uuids is a default in virt-sysprep but not supported here, so never a default.</summary>
    private static readonly (string Name, bool Default)[] VirtSysprep =
    [
        ("abrt-data", true), ("backup-files", true), ("bash-history", true), ("blkid-tab", true), ("ca-certificates", false),
        ("crash-data", true), ("cron-spool", true), ("dhcp-client-state", true), ("dhcp-server-state", true),
        ("dovecot-data", true), ("firewall-rules", false), ("flag-reconfiguration", false), ("fs-uuids", false),
        ("ipa-client", true), ("kerberos-data", false), ("kerberos-hostkeytab", true), ("logfiles", true),
        ("lvm-system-devices", true), ("lvm-uuids", false), ("machine-id", true), ("mail-spool", true), ("net-hostname", true),
        ("net-hwaddr", true), ("net-nmconn", true), ("pacct-log", true), ("package-manager-cache", true), ("pam-data", true),
        ("passwd-backups", true), ("puppet-data-log", true), ("rh-subscription-manager", true), ("rhn-systemid", true),
        ("rpm-db", true), ("samba-db-log", true), ("smolt-uuid", true), ("ssh-hostkeys", true), ("ssh-userdir", false),
        ("sssd-db-log", true), ("tmp-files", true), ("udev-persistent-net", true), ("user-account", false), ("utmp", true),
        ("yum-uuid", true), ("zsh-history", true),
    ];

    [Test]
    public void BuiltIns_PassValidation_AreAlphabetical_AndCoverVirtSysprep()
    {
        var registry = OperationRegistry.CreateDefault();
        var names = BuiltInOperations.All.Select(o => o.Name).ToList();
        Assert.That(names, Is.EqualTo(names.Order(StringComparer.Ordinal).ToList()), "BuiltInOperations.All must stay alphabetical");
        foreach (var (name, enabled) in VirtSysprep)
        {
            Assert.That(registry.Find(name)?.EnabledByDefault, Is.EqualTo(enabled), name);
        }

        Assert.That(names, Is.SupersetOf(new[] { "cloud-init", "hostname", "random-seed", "iscsi-initiator-name", "net-nmstate", "app-history" }));
    }

    [Test]
    public void MachineIdAndRandomSeedRunAfterEveryOtherFileOperation()
    {
        var ordered = OperationSelection.Parse("all").Resolve(OperationRegistry.CreateDefault()).Select(o => o.Name).ToList();
        Assert.That(ordered[^3..], Is.EqualTo(new[] { "random-seed", "machine-id", "lvm-uuids" }));
    }

    [Test]
    public void Validation_RejectsAnUnsupportedDefault()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _ = new OperationRegistry([new UnsupportedDefault()]));
        Assert.That(e!.Message, Does.Contain("not supported and cannot be a default"));
    }

    [TestCase("Bad_Name", "heading", "desc", "kebab-case")]
    [TestCase("trailing-", "heading", "desc", "kebab-case")]
    [TestCase("ok", "ends with period.", "desc", "trailing period")]
    [TestCase("ok", "two\nlines", "desc", "one non-empty line")]
    [TestCase("ok", "", "desc", "one non-empty line")]
    [TestCase("ok", "heading", " ", "empty description")]
    public void Validation_RejectsBadOperations(string name, string heading, string description, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => _ = new OperationRegistry([new TestOperation(name, heading, description)]));
        Assert.That(e!.Message, Does.Contain(expected));
    }

    [Test]
    public void Validation_RejectsDuplicateNames()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            _ = new OperationRegistry([new TestOperation("dup", "h", "d"), new TestOperation("dup", "h2", "d2")]));
        Assert.That(e!.Message, Does.Contain("duplicate operation name 'dup'"));
    }

    [Test]
    public void DataDrivenDescriptionsListTheirPaths()
    {
        var registry = OperationRegistry.CreateDefault();
        Assert.That(registry.Find("logfiles")!.Description, Does.Contain("/var/log/journal/*").And.Contain("/root/anaconda-ks.cfg"));
        Assert.That(registry.Find("random-seed")!.Description, Does.Contain("/var/lib/systemd/credential.secret"));
        Assert.That(registry.Find("tmp-files")!.Description, Does.Contain("/var/tmp"));
    }

    internal sealed class TestOperation(string name, string heading, string description, bool enabled = true, Action<SealContext>? perform = null, int order = 0)
        : ISealOperation
    {
        public string Name => name;

        public string Heading => heading;

        public string Description => description;

        public bool EnabledByDefault => enabled;

        public int Order => order;

        public bool AppliesTo(GuestInfo guest) => true;

        public void Perform(SealContext context) => perform?.Invoke(context);
    }

    private sealed class UnsupportedDefault : ISealOperation
    {
        public string Name => "never-runs";

        public string Heading => "h";

        public string Description => "d";

        public bool EnabledByDefault => true;

        public int Order => 0;

        public string? Unsupported => "needs something";

        public bool AppliesTo(GuestInfo guest) => false;

        public void Perform(SealContext context) => throw new InvalidOperationException();
    }
}
