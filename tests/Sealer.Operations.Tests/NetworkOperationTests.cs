using NUnit.Framework;
using Sealer.Operations.Network;
using Sealer.Operations.Tests.Fakes;
using Sealer.TestSupport;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class NetworkOperationTests
{
    [Test]
    public void NetHwaddr_Rhel_DropsHwaddrFromIfcfgAndMacFromKeyfiles_KeepsUuids()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        var context = Run("net-hwaddr", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[]
        {
            "rewritten /etc/sysconfig/network-scripts/ifcfg-eth0",
            "rewritten /etc/NetworkManager/system-connections/enp1s0.nmconnection",
        }));
        Assert.That(fs.Text("/etc/sysconfig/network-scripts/ifcfg-eth0"),
            Is.EqualTo("DEVICE=eth0\nUUID=0a1b2c3d\nHOSTNAME=rhel9\nDHCP_HOSTNAME=rhel9\nBOOTPROTO=dhcp\n"));
        var keyfile = fs.Text("/etc/NetworkManager/system-connections/enp1s0.nmconnection");
        Assert.That(keyfile, Does.Not.Contain("mac-address").And.Contain("uuid=6b1b3c56").And.Contain("[ethernet]\n\n[ipv4]"));
        Assert.That(fs.TryStat("/etc/NetworkManager/system-connections/enp1s0.nmconnection")!.Value.Mode,
            Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "keyfile permissions must survive the rewrite");
    }

    [Test]
    public void NetHwaddr_Ubuntu_DropsCloudInitsMacMatch_KeepsTheOperatorsRenamedStanzaAndSaysWhere()
    {
        var (fs, guest) = GuestTrees.Ubuntu2404();
        var operatorFile = fs.Text("/etc/netplan/60-static.yaml");
        var context = Run("net-hwaddr", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "rewritten /etc/netplan/50-cloud-init.yaml" }));
        Assert.That(fs.Text("/etc/netplan/50-cloud-init.yaml"), Is.EqualTo(
            "# This file is generated from information provided by the datasource.\n" +
            "network:\n    ethernets:\n        enp1s0:\n            dhcp4: true\n    version: 2\n"));
        Assert.That(fs.Text("/etc/netplan/60-static.yaml"), Is.EqualTo(operatorFile), "without its match, 'lan' would configure nothing on a clone");
        Assert.That(context.Warnings.Single(), Does.StartWith("/etc/netplan/60-static.yaml line 5: 'lan' matches only the template's MAC address and is renamed to lan0"));
    }

    [Test]
    public void Netplan_KeepsMatchWithOtherKeys()
    {
        const string yaml = "network:\n  ethernets:\n    nic:\n      match:\n        macaddress: aa:bb\n        driver: virtio_net\n      set-name: nic0\n";
        var result = NetplanMacRemover.Rewrite(yaml, generated: false);
        Assert.That(result.Text, Is.EqualTo("network:\n  ethernets:\n    nic:\n      match:\n        driver: virtio_net\n      set-name: nic0\n"));
        Assert.That(result.Kept, Is.Empty);
    }

    [Test]
    public void Netplan_FlowMatchWithOtherKeys_LosesOnlyTheMac()
    {
        const string yaml = "network:\n  ethernets:\n    nic:\n      match: {macaddress: \"aa:bb\", driver: virtio_net}\n      set-name: nic0\n";
        Assert.That(NetplanMacRemover.Rewrite(yaml, generated: false).Text,
            Is.EqualTo("network:\n  ethernets:\n    nic:\n      match: {driver: virtio_net}\n      set-name: nic0\n"));
    }

    [Test]
    public void Netplan_KernelNamedStanza_IsMatchedByItsId_ButSetNameGoesOnlyInCloudInitsFile()
    {
        const string yaml = "network:\n  ethernets:\n    eth0:\n      match:\n        macaddress: aa\n      set-name: eth0\n      dhcp4: true\n" +
            "    enp2s0:\n      match:\n        macaddress: bb\n      addresses: [10.0.0.2/24]\n";
        var generated = NetplanMacRemover.Rewrite(yaml, generated: true);
        Assert.That(generated.Text, Is.EqualTo("network:\n  ethernets:\n    eth0:\n      dhcp4: true\n    enp2s0:\n      addresses: [10.0.0.2/24]\n"));
        Assert.That(generated.Kept, Is.Empty);
        var operators = NetplanMacRemover.Rewrite(yaml, generated: false);
        Assert.That(operators.Text, Is.EqualTo("network:\n  ethernets:\n    eth0:\n      match:\n        macaddress: aa\n      set-name: eth0\n      dhcp4: true\n" +
            "    enp2s0:\n      addresses: [10.0.0.2/24]\n"));
        Assert.That(operators.Kept.Single(), Does.StartWith("line 4: 'eth0' matches only the template's MAC address and is renamed to eth0"));
    }

    [Test]
    public void Netplan_DevicesOwnMacaddress_WhichSetsTheMac_IsDropped()
    {
        const string yaml = "network:\n  bridges:\n    br0:\n      macaddress: 02:00:00:00:00:01\n      interfaces: [enp1s0]\n";
        Assert.That(NetplanMacRemover.Rewrite(yaml, generated: false).Text, Is.EqualTo("network:\n  bridges:\n    br0:\n      interfaces: [enp1s0]\n"));
    }

    [Test]
    public void NetHwaddr_Arch_WarnsAboutNetworkdMacMatchesWithoutEditing()
    {
        var (fs, guest) = GuestTrees.Arch();
        var before = fs.Text("/etc/systemd/network/30-pinned.network");
        var context = Run("net-hwaddr", fs, guest);
        Assert.That(Summary(context), Is.Empty);
        Assert.That(fs.Text("/etc/systemd/network/30-pinned.network"), Is.EqualTo(before));
        Assert.That(context.Warnings.Single(), Does.Contain("30-pinned.network"));
    }

    [Test]
    public void NetHostname_DropsHostnameLinesFromIfcfg()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        Assert.That(Summary(Run("net-hostname", fs, guest)), Is.EqualTo(new[] { "rewritten /etc/sysconfig/network-scripts/ifcfg-eth0" }));
        Assert.That(fs.Text("/etc/sysconfig/network-scripts/ifcfg-eth0"), Is.EqualTo("DEVICE=eth0\nHWADDR=52:54:00:12:34:56\nUUID=0a1b2c3d\nBOOTPROTO=dhcp\n"));
    }

    [Test]
    public void NetNmconn_RemovesKeyfilesOnRedHatOnly()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        Assert.That(Summary(Run("net-nmconn", fs, guest)), Is.EqualTo(new[] { "deleted /etc/NetworkManager/system-connections/enp1s0.nmconnection" }));
        Assert.That(Op("net-nmconn").AppliesTo(GuestTrees.Ubuntu2404().Guest), Is.False);
    }

    [Test]
    public void NetNmstate_RemovesSecretKeyLeasesAndHistory_KeepsState()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        Assert.That(Summary(Run("net-nmstate", fs, guest)), Is.EqualTo(new[]
        {
            "deleted /var/lib/NetworkManager/secret_key",
            "deleted /var/lib/NetworkManager/internal-6b1b3c56-enp1s0.lease",
            "deleted /var/lib/NetworkManager/timestamps",
            "deleted /var/lib/NetworkManager/seen-bssids",
        }));
        Assert.That(fs.Exists("/var/lib/NetworkManager/NetworkManager.state"), Is.True);
    }

    [Test]
    public void DhcpClientState_CoversDhclientWickedAndDhcpcd()
    {
        var (debian, debianGuest) = GuestTrees.Debian12();
        Assert.That(Summary(Run("dhcp-client-state", debian, debianGuest)), Is.EqualTo(new[] { "deleted /var/lib/dhcp/dhclient.eth0.leases" }));
        var (suse, suseGuest) = GuestTrees.OpenSuse();
        Assert.That(Summary(Run("dhcp-client-state", suse, suseGuest)), Is.EqualTo(new[]
        {
            "deleted /var/lib/wicked/duid.xml", "deleted /var/lib/wicked/iaid.xml", "deleted /var/lib/wicked/lease-eth0-dhcp-ipv4.xml",
        }));
        var (arch, archGuest) = GuestTrees.Arch();
        Assert.That(Summary(Run("dhcp-client-state", arch, archGuest)), Is.EqualTo(new[] { "deleted /var/lib/dhcpcd/eth0.lease", "deleted /etc/dhcpcd.duid" }));
        Assert.That(suse.Exists("/var/lib/wicked"), Is.True);
    }

    [Test]
    public void UdevPersistentNet_RemovesOnlyTheRulesFile()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.AddFile("/etc/udev/rules.d/70-persistent-net.rules", "SUBSYSTEM==\"net\", ATTR{address}==\"52:54:00:12:34:56\", NAME=\"eth0\"\n");
        fs.AddFile("/etc/udev/rules.d/99-local.rules", "x\n");
        Assert.That(Summary(Run("udev-persistent-net", fs, guest)), Is.EqualTo(new[] { "deleted /etc/udev/rules.d/70-persistent-net.rules" }));
        Assert.That(fs.Exists("/etc/udev/rules.d/99-local.rules"), Is.True);
    }

    /// <summary>PyYAML as the oracle: every rewritten document must parse, have no set-name without a match, no
    /// empty match, and a device-level macaddress nowhere; it prints how many MAC matches are left, which must be the
    /// number of stanzas the rewrite reported as kept.</summary>
    private const string YamlOracle =
        "import sys, yaml, json\n" +
        "def walk(n, key=None):\n" +
        "    if isinstance(n, dict):\n" +
        "        global left\n" +
        "        assert key == 'match' or 'macaddress' not in n, n\n" +
        "        assert 'set-name' not in n or 'match' in n, n\n" +
        "        if isinstance(n.get('match'), dict) and 'macaddress' in n['match']: left += 1\n" +
        "        assert n.get('match', 1) not in (None, {}), n\n" +
        "        [walk(v, k) for k, v in n.items()]\n" +
        "left = 0\n" +
        "for text in json.load(sys.stdin):\n" +
        "    doc = yaml.safe_load(text)\n" +
        "    assert 'network' in doc, doc\n" +
        "    walk(doc)\n" +
        "print(left)\n";

    private static readonly string[] NetplanSamples =
    [
        GuestTrees.UbuntuNetplan,
        "network:\n  version: 2\n  ethernets:\n    lan:\n      match: {macaddress: \"52:54:00:aa:bb:cc\"}\n      set-name: lan0\n      addresses: [10.1.0.5/24]\n",
        "network:\n  ethernets:\n    nic:\n      match:\n        macaddress: aa:bb\n        driver: virtio_net\n      set-name: nic0\n      macaddress: 02:00:00:00:00:01\n",
        "network:\n  ethernets:\n    a:\n      match:\n        macaddress: aa\n      set-name: a0\n      dhcp4: true\n    b:\n      match:\n        driver: e1000\n      set-name: b0\n",
    ];

    [Test]
    [Category("Oracle")]
    public void Netplan_RewriteIsValidYamlWithoutMacBindings()
    {
        ExternalTool.Require("python3");
        var results = NetplanSamples.Select(y => NetplanMacRemover.Rewrite(y, generated: y == GuestTrees.UbuntuNetplan)).ToList();
        var input = System.Text.Json.JsonSerializer.Serialize(results.Select(r => r.Text).ToArray());
        var result = ExternalTool.Run("python3", ["-c", YamlOracle], input);
        Assume.That(result.StdErr, Does.Not.Contain("No module named 'yaml'"), "PyYAML is not installed");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StdOut.Trim(), Is.EqualTo(results.Sum(r => r.Kept.Count).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(results.Sum(r => r.Kept.Count), Is.EqualTo(2), "lan (set-name lan0) and a (set-name a0) cannot be matched on a clone");
    }
}
