using NUnit.Framework;
using Sealer.Core.FileSystems;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

[TestFixture]
public sealed class GuestAssemblerTests
{
    private const string RootUuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    private const string VarUuid = "11111111-2222-4333-8444-555555555555";
    private TempDirectory temp = null!;
    private int opens;
    private readonly List<string> opened = [];

    [SetUp]
    public void SetUp()
    {
        temp = new TempDirectory("sealer-assemble");
        opens = 0;
        opened.Clear();
    }

    [TearDown]
    public void TearDown() => temp.Dispose();

    private string Dir(string name) => HostTree.Dir(temp.Path, name);

    private CandidateFileSystem Candidate(string device, int? part, string dir, string? uuid = null, string? label = null,
        string? partUuid = null, string? partLabel = null, string type = "ext4") =>
        new(device, part, partUuid, partLabel, new FileSystemIdentity(type, uuid, label), () =>
        {
            opens++;
            lock (opened)
            {
                opened.Add(device);
            }

            return new HostDirectoryFileSystem(dir, new FileSystemIdentity(type, uuid, label));
        });

    /// <summary>The debian12 generated tree with /var moved to its own "partition" and an fstab naming it.</summary>
    private (string Root, string Var) SplitDebianTree(string fstabExtra = "")
    {
        var root = HostTree.MakeGuestTree("debian12", temp.Path);
        HostTree.File(root, "/etc/fstab", $"""
            # /etc/fstab
            UUID={RootUuid}  /      ext4  errors=remount-ro  0  1
            UUID={VarUuid}   /var   ext4  defaults           0  2
            LABEL=home       /home  ext4  defaults,nodev     0  2
            /swapfile none swap sw 0 0
            tmpfs /tmp tmpfs defaults,nosuid 0 0
            {fstabExtra}

            """);
        var var = Path.Combine(temp.Path, "var-partition");
        Directory.Move(Path.Combine(root, "var"), var);
        Directory.CreateDirectory(Path.Combine(root, "var"));
        return (root, var);
    }

    [Test]
    public void SeparateVarAndHome_ByUuidAndLabel()
    {
        var (root, var) = SplitDebianTree();
        var home = Path.Combine(temp.Path, "home-partition");
        Directory.Move(Path.Combine(root, "home"), home);
        Directory.CreateDirectory(Path.Combine(root, "home"));
        using var guest = GuestAssembler.Assemble(
        [
            Candidate("/dev/sda1", 1, root, RootUuid),
            Candidate("/dev/sda2", 2, var, VarUuid),
            Candidate("/dev/sda3", 3, home, "99999999-0000-4000-8000-000000000000", "home"),
        ]);
        Assert.That(guest.Mounts.Select(m => (m.MountPoint, m.DeviceName)), Is.EqualTo(new[] { ("/", "/dev/sda1"), ("/var", "/dev/sda2"), ("/home", "/dev/sda3") }));
        Assert.That(guest.Warnings, Is.Empty);
        Assert.That(guest.Info.DistroId, Is.EqualTo("debian"));
        Assert.That(guest.Info.SystemdVersion, Is.EqualTo(252));
        Assert.That(HostTree.Read(guest.Root, "/var/log/syslog"), Does.Contain("debian12-vm01"));
        Assert.That(guest.Root.ReadDirectory("/home").Select(e => e.Name), Is.EqualTo(new[] { "debian" }));
        Assert.That(guest.Root.ReadLink("/var/lib/dbus/machine-id"), Is.EqualTo("/etc/machine-id"));
        Assert.That(HostTree.Read(guest.Root, "/var/lib/dbus/machine-id").Trim(), Does.Match("^[0-9a-f]{32}$"), "a /var symlink into the root file system");
        Assert.That(guest.Root.ResolvePath("/var/run/x", followLast: false), Is.EqualTo("/run/x"), "/var/run -> /run crosses back to the root");
        Assert.That(opens, Is.EqualTo(3), "each opener called once");
    }

    [Test]
    public void PartUuidPartLabelAndKernelNames_AreMatched_WithWarningsForTheRest()
    {
        var extra = string.Join('\n',
            "PARTUUID=AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE /srv ext4 defaults 0 2",
            "PARTLABEL=opt\\040data /opt ext4 defaults,noauto 0 2",
            "/dev/vda5 /mnt auto defaults 0 0",
            "/dev/disk/by-uuid/does-not-exist /data ext4 defaults 0 2",
            "/dev/mapper/vg-log /var/log ext4 defaults 0 2",
            "UUID=ABCD-1234 /boot/efi vfat umask=0077 0 1",
            "/srv /export none bind 0 0",
            "server:/share /nfs nfs defaults 0 0",
            "/dev/sda7 /nowhere ext4 defaults 0 2",
            "/dev/sda8 /etc/hostname ext4 defaults 0 2",
            "proc /proc proc defaults 0 0");
        var (root, var) = SplitDebianTree(extra);
        var srv = Dir("srv-partition");
        var opt = Dir("opt-partition");
        var mnt = Dir("mnt-partition");
        HostTree.File(srv, "/www/index.html", "srv");
        HostTree.File(opt, "/tool", "opt");
        using var guest = GuestAssembler.Assemble(
        [
            Candidate("/dev/sda1", 1, root, RootUuid),
            Candidate("/dev/sda2", 2, var, VarUuid),
            Candidate("/dev/sda3", 3, srv, partUuid: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
            Candidate("/dev/sda4", 4, opt, partLabel: "opt data"),
            Candidate("/dev/sda5", 5, mnt),
            Candidate("/dev/sda7", 7, Dir("p7")),
            Candidate("/dev/sda8", 8, Dir("p8")),
        ]);
        Assert.That(guest.Mounts.Select(m => m.MountPoint), Is.EqualTo(new[] { "/", "/var", "/srv", "/opt", "/mnt" }));
        Assert.That(guest.Mounts.Single(m => m.MountPoint == "/opt").NoAuto, Is.True, "noauto entries are mounted and flagged");
        Assert.That(HostTree.Read(guest.Root, "/srv/www/index.html"), Is.EqualTo("srv"));
        Assert.That(HostTree.Read(guest.Root, "/opt/tool"), Is.EqualTo("opt"));
        Assert.That(guest.Warnings, Has.Count.EqualTo(6), string.Join("\n", guest.Warnings));
        Assert.Multiple(() =>
        {
            Assert.That(guest.Warnings, Has.Some.Contains("/home").And.Some.Contains("device not found"));
            Assert.That(guest.Warnings, Has.Some.Contains("does-not-exist"));
            Assert.That(guest.Warnings, Has.Some.Contains("/dev/mapper/vg-log").And.Some.Contains("not supported"));
            Assert.That(guest.Warnings, Has.Some.Contains("vfat"));
            Assert.That(guest.Warnings, Has.Some.Contains("/nowhere"));
            Assert.That(guest.Warnings, Has.Some.Contains("/etc/hostname is not a directory"));
            Assert.That(guest.Warnings, Has.None.Contains("nfs").And.None.Contains("/export").And.None.Contains("proc"));
        });
    }

    [Test]
    public void NestedMountPoints_AreMountedParentFirst()
    {
        var root = Dir("root");
        HostTree.File(root, "/etc/os-release", "ID=arch\n");
        HostTree.File(root, "/etc/fstab", "LABEL=log /var/log ext4 defaults 0 2\nLABEL=var /var ext4 defaults 0 2\n");
        HostTree.Dir(root, "/var");
        var var = Dir("var");
        HostTree.Dir(var, "/log");
        var log = Dir("log");
        HostTree.File(log, "/pacman.log", "log");
        using var guest = GuestAssembler.Assemble(
        [
            Candidate("/dev/sda1", 1, root),
            Candidate("/dev/sda2", 2, var, label: "var"),
            Candidate("/dev/sda3", 3, log, label: "log"),
        ]);
        Assert.That(guest.Mounts.Select(m => m.MountPoint), Is.EqualTo(new[] { "/", "/var", "/var/log" }));
        Assert.That(HostTree.Read(guest.Root, "/var/log/pacman.log"), Is.EqualTo("log"));
    }

    [Test]
    public void TwoRoots_AreAmbiguous_UnlessChosen()
    {
        var a = Dir("a");
        var b = Dir("b");
        HostTree.File(a, "/usr/lib/os-release", "ID=debian\n");
        HostTree.Dir(a, "/usr/bin");
        HostTree.File(b, "/etc/os-release", "ID=fedora\n");
        HostTree.File(b, "/etc/fstab", "\n");
        CandidateFileSystem[] candidates = [Candidate("/dev/sda1", 1, a, "u-a"), Candidate("/dev/sdb1", 1, b, "u-b")];
        Assert.That(() => GuestAssembler.Assemble(candidates),
            Throws.InstanceOf<GuestAssemblyException>().With.Message.Contains("/dev/sda1").And.Message.Contains("/dev/sdb1"));
        using (var chosen = GuestAssembler.Assemble(candidates, "/dev/sdb1"))
        {
            Assert.That(chosen.Info.DistroId, Is.EqualTo("fedora"));
        }

        using (var byUuid = GuestAssembler.Assemble(candidates, "UUID=u-a"))
        {
            Assert.That(byUuid.Info.DistroId, Is.EqualTo("debian"));
        }

        Assert.That(() => GuestAssembler.Assemble(candidates, "/dev/sdc1"), Throws.InstanceOf<GuestAssemblyException>());
    }

    [Test]
    public void NoRoot_IsAnErrorListingWhatWasSeen()
    {
        var data = Dir("data");
        HostTree.File(data, "/etc/os-release", "ID=debian\n"); // os-release but nothing else of a root
        Assert.That(() => GuestAssembler.Assemble([Candidate("/dev/sda1", 1, data), Candidate("/dev/sda2", 2, Dir("swapish"), type: "swap")]),
            Throws.InstanceOf<GuestAssemblyException>().With.Message.Contains("no operating system").And.Message.Contains("/dev/sda1 ext4"));
        Assert.That(opened, Is.EqualTo(new[] { "/dev/sda1" }), "non-ext candidates are never opened");
    }

    [Test]
    public void DirRootfs_AssemblesAsASingleCandidate()
    {
        var root = HostTree.MakeGuestTree("fedora40", temp.Path);
        using var guest = GuestAssembler.Assemble([Candidate("rootfs", null, root, type: "hostdir")]);
        Assert.That(guest.Info.Family, Is.EqualTo(DistroFamily.RedHat));
        Assert.That(guest.Mounts, Has.Count.EqualTo(1));
        Assert.That(guest.Warnings, Is.Empty, "the generated fstab's root matches nothing here, but the root is never re-mounted");
    }

    [Test]
    public void UnusedCandidates_AreDisposed_FailedOnesAreWarnings()
    {
        var root = Dir("root");
        HostTree.File(root, "/etc/os-release", "ID=debian\n");
        HostTree.File(root, "/etc/fstab", "LABEL=broken /srv ext4 defaults 0 2\n");
        HostTree.Dir(root, "/srv");
        var created = new List<HostDirectoryFileSystem>();
        CandidateFileSystem Tracked(string device, string dir) => new(device, 1, null, null, new FileSystemIdentity("ext4", null, null), () =>
        {
            var fs = new HostDirectoryFileSystem(dir);
            created.Add(fs);
            return fs;
        });
        var broken = new CandidateFileSystem("/dev/sdb1", 1, null, null, new FileSystemIdentity("ext4", null, "broken"),
            () => throw new Sealer.Core.Errors.InvalidImageException("ext4: bad superblock magic 0x0000 at 0x438"));
        var guest = GuestAssembler.Assemble([Tracked("/dev/sda1", root), Tracked("/dev/sda2", Dir("data")), broken]);
        Assert.That(guest.Warnings, Has.Some.Contains("/dev/sdb1: cannot open: ext4: bad superblock magic"));
        Assert.That(() => created[1].TryStat("/"), Throws.InstanceOf<ObjectDisposedException>(), "probed but not mounted");
        Assert.That(created[0].TryStat("/etc"), Is.Not.Null);
        guest.Dispose();
        Assert.That(() => created[0].TryStat("/"), Throws.InstanceOf<ObjectDisposedException>(), "disposed with the guest");
    }

    [Test]
    public void AssembleHostDirectory_WarnsAboutDevicesItCannotSee()
    {
        var root = HostTree.MakeGuestTree("ubuntu2404", temp.Path);
        File.AppendAllText(Path.Combine(root, "etc/fstab"), $"UUID={VarUuid} /var ext4 defaults 0 2\n");
        using var guest = GuestAssembler.AssembleHostDirectory(root, readOnly: true);
        Assert.That(guest.Info.DistroId, Is.EqualTo("ubuntu"));
        Assert.That(guest.Mounts.Single().DeviceName, Is.EqualTo("rootfs"));
        Assert.That(guest.Warnings, Has.Count.EqualTo(1).And.Some.Contains("/var").And.Some.Contains("device not found"));
        Assert.That(guest.Root.CanWrite, Is.False);
    }

    [Test]
    public void RootThatCannotBeOpened_ReportsItsOwnError()
    {
        var unsupported = new CandidateFileSystem("/dev/sda1", 1, null, null, new FileSystemIdentity("ext4", "u", null),
            () => throw new Sealer.Core.Errors.UnsupportedFeatureException("ext4: cannot write: unsupported ro_compat feature bigalloc"));
        Assert.That(() => GuestAssembler.Assemble([unsupported, Candidate("/dev/sda2", 2, Dir("empty"))]),
            Throws.InstanceOf<Sealer.Core.Errors.UnsupportedFeatureException>().With.Message.Contains("bigalloc"));
    }
}
