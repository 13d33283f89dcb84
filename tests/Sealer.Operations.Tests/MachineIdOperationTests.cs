using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.Operations.Tests.Fakes;
using static Sealer.Operations.Tests.OperationHarness;

namespace Sealer.Operations.Tests;

[TestFixture]
public sealed class MachineIdOperationTests
{
    [Test]
    public void Debian_EmptiesMachineId_KeepsDbusSymlink()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("machine-id", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "truncated /etc/machine-id" }));
        Assert.That(fs.Text("/etc/machine-id"), Is.Empty);
        Assert.That(fs.ReadLink("/var/lib/dbus/machine-id"), Is.EqualTo("/etc/machine-id"));
        Assert.That(context.Warnings, Is.Empty);
    }

    [Test]
    public void Rhel_RemovesRegularDbusMachineId()
    {
        var (fs, guest) = GuestTrees.Rhel9();
        var context = Run("machine-id", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "truncated /etc/machine-id", "deleted /var/lib/dbus/machine-id" }));
        Assert.That(fs.Exists("/var/lib/dbus/machine-id"), Is.False);
        Assert.That(context.Files.Actions[0].Size, Is.EqualTo(33));
    }

    [Test]
    public void MissingMachineIdOnSystemdGuest_IsCreatedEmpty_SoBootIsNotAFirstBoot()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.Delete("/etc/machine-id");
        var context = Run("machine-id", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "created /etc/machine-id" }));
        Assert.That(fs.Text("/etc/machine-id"), Is.Empty);
        Assert.That(fs.TryStat("/etc/machine-id")!.Value.Mode, Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead));
    }

    [Test]
    public void AlreadySealed_RecordsNothing()
    {
        var (fs, guest) = GuestTrees.Debian12();
        Run("machine-id", fs, guest);
        Assert.That(Summary(Run("machine-id", fs, guest)), Is.Empty);
    }

    [Test]
    public void Alpine_WithoutSystemdOrFile_IsLeftAlone()
    {
        var (fs, guest) = GuestTrees.Alpine();
        Assert.That(Summary(Run("machine-id", fs, guest)), Is.Empty);
        Assert.That(fs.Exists("/etc/machine-id"), Is.False);
    }

    [Test]
    public void SymlinkedMachineId_IsReplacedByAnEmptyFile()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.Delete("/etc/machine-id");
        fs.AddSymlink("/etc/machine-id", "/var/lib/dbus/machine-id");
        var context = Run("machine-id", fs, guest);
        Assert.That(Summary(context), Is.EqualTo(new[] { "deleted /etc/machine-id", "created /etc/machine-id" }));
        Assert.That(fs.TryStat("/etc/machine-id")!.Value.Kind, Is.EqualTo(FileKind.Regular));
        Assert.That(context.Warnings.Single(), Does.Contain("symlink"));
    }

    [Test]
    public void FirstBoot_WritesUninitialized_AndWarnsAboutNetworkdPresetsOnDebian12()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("machine-id", fs, guest, new SealOptions { MachineId = MachineIdMode.FirstBoot });
        Assert.That(fs.Text("/etc/machine-id"), Is.EqualTo("uninitialized\n"));
        Assert.That(Summary(context), Is.EqualTo(new[] { "rewritten /etc/machine-id" }));
        Assert.That(context.Warnings, Has.Count.EqualTo(2));
        Assert.That(context.Warnings[0], Does.Contain("systemd-networkd.service").And.Contain("/usr/lib/systemd/system-preset/90-systemd.preset"));
        Assert.That(context.Warnings[1], Does.Contain("systemd-networkd-wait-online.service"));
    }

    [Test]
    public void FirstBoot_NoWarningWhenPresetsMatchWhatIsEnabled()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.AddSymlink("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", "/usr/lib/systemd/system/systemd-networkd.service");
        fs.AddSymlink("/etc/systemd/system/network-online.target.wants/systemd-networkd-wait-online.service", "/usr/lib/systemd/system/systemd-networkd-wait-online.service");
        Assert.That(Run("machine-id", fs, guest, new SealOptions { MachineId = MachineIdMode.FirstBoot }).Warnings, Is.Empty);
    }

    [Test]
    public void FirstBoot_AdminPresetInEtcOverridesTheVendorFile()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.AddFile("/etc/systemd/system-preset/90-systemd.preset", "disable systemd-networkd*\n");
        Assert.That(Run("machine-id", fs, guest, new SealOptions { MachineId = MachineIdMode.FirstBoot }).Warnings, Is.Empty);
    }

    [Test]
    public void FirstBoot_WithoutPresetFiles_SystemdEnablesEverything()
    {
        var (fs, guest) = GuestTrees.Debian12();
        fs.Delete("/usr/lib/systemd/system-preset/90-systemd.preset");
        fs.Delete("/usr/lib/systemd/system-preset/99-default.preset");
        var warnings = Run("machine-id", fs, guest, new SealOptions { MachineId = MachineIdMode.FirstBoot }).Warnings;
        Assert.That(warnings, Has.Count.EqualTo(3));
        Assert.That(warnings, Has.All.Contain("no preset rule"));
    }

    [Test]
    public void FirstBoot_OnOldSystemd_FallsBackToEmptyWithAWarning()
    {
        var (fs, guest) = GuestTrees.Debian12();
        var context = Run("machine-id", fs, guest with { SystemdVersion = 245 }, new SealOptions { MachineId = MachineIdMode.FirstBoot });
        Assert.That(fs.Text("/etc/machine-id"), Is.Empty);
        Assert.That(context.Warnings.Single(), Does.Contain("247"));
    }
}
