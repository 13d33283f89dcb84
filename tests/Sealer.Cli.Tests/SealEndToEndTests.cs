using NUnit.Framework;
using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>`sealer seal` on generated images (raw and qcow2, GPT, MBR and no table, separate /var and /home),
/// checked with qemu-img, e2fsck -fn and debugfs.</summary>
[TestFixture]
public sealed class SealEndToEndTests
{
    [Test]
    public void OverlayOutput_LeavesInputUntouched_AndSealsBothPartitions()
    {
        using var temp = new TempDirectory();
        var input = TestImages.Copy("debian12-gpt.qcow2", temp);
        var before = DiskOracle.Sha256(input);
        var output = temp.File("sealed.qcow2");

        SealerProcess.RunOk("seal", "-a", input, "--output", output);

        Assert.That(DiskOracle.Sha256(input), Is.EqualTo(before));
        DiskOracle.QemuImgCheck(output);
        Assert.That(ExternalTool.Check("qemu-img", "info", output), Does.Contain("backing file format: qcow2"));
        var fileSystems = DiskOracle.ExtractFileSystems(DiskOracle.ToRaw(output, temp), temp);
        Assert.That(fileSystems, Has.Count.EqualTo(2));
        fileSystems.ToList().ForEach(DiskOracle.E2fsckClean);
        var (root, var) = (fileSystems[0], fileSystems[1]);
        Assert.That(DiskOracle.Cat(root, "/etc/machine-id"), Is.Empty);
        Assert.That(DiskOracle.Exists(root, "/etc/ssh/ssh_host_rsa_key"), Is.False);
        Assert.That(DiskOracle.Exists(root, "/root/.bash_history"), Is.False);
        Assert.That(DiskOracle.Exists(root, "/etc/ssh/sshd_config") || DiskOracle.Exists(root, "/etc/ssh"), Is.True, "the rest of /etc/ssh is kept");
        Assert.That(DiskOracle.Exists(var, "/lib/systemd/random-seed"), Is.False, "/var is a separate partition and is sealed too");
        Assert.That(DiskOracle.Debugfs(var, "ls -p /log"), Does.Not.Contain("syslog"));
        Assert.That(SealerProcess.Run("check", "-a", output).ExitCode, Is.Zero);
        Assert.That(SealerProcess.Run("check", "-a", input).ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void DryRun_ChangesNothing_AndReportsExactlyWhatTheRealRunDoes()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("debian12-gpt.raw", temp);
        var before = DiskOracle.Sha256(image);

        var dry = SealerProcess.RunOk("seal", "-a", image, "--dry-run", "--json");
        Assert.That(DiskOracle.Sha256(image), Is.EqualTo(before), "a dry run leaves the image byte for byte the same");
        var real = SealerProcess.RunOk("seal", "-a", image, "--json");
        Assert.That(DiskOracle.Sha256(image), Is.Not.EqualTo(before));

        var planned = SealReportJson.Actions(dry.StdOut);
        Assert.That(planned, Is.Not.Empty);
        Assert.That(SealReportJson.Actions(real.StdOut), Is.EqualTo(planned));
        Assert.That(File.Exists(image + ".sealer-redo"), Is.False, "the redo log is removed after an in-place commit");
        DiskOracle.ExtractFileSystems(image, temp).ToList().ForEach(DiskOracle.E2fsckClean);
        Assert.That(SealerProcess.Run("check", "-a", image).ExitCode, Is.Zero);
    }

    [Test]
    public void InPlace_MbrWithHomeByLabel_SealsTheUsersHistory()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("fedora40-mbr.raw", temp);
        Assert.That(DiskOracle.Debugfs(DiskOracle.ExtractFileSystems(image, temp)[1], "ls -p /fedora"), Does.Contain(".bash_history"));

        var run = SealerProcess.RunOk("seal", "-a", image, "--hostname", "template01");

        var fileSystems = DiskOracle.ExtractFileSystems(image, temp);
        Assert.That(fileSystems, Has.Count.EqualTo(2));
        fileSystems.ToList().ForEach(DiskOracle.E2fsckClean);
        Assert.That(DiskOracle.Cat(fileSystems[0], "/etc/hostname").Trim(), Is.EqualTo("template01"));
        Assert.That(DiskOracle.Debugfs(fileSystems[1], "ls -p /fedora"), Does.Not.Contain(".bash_history"));
        Assert.That(run.StdOut, Does.Contain("sealed in place"));

        // check reports everything a default seal would change: the chosen name is the template's, not localhost.
        var check = SealerProcess.Run("check", "-a", image);
        Assert.That(check.ExitCode, Is.EqualTo(1), check.ToString());
        Assert.That(check.StdOut, Does.Contain("identifying: hostname: would rewrite /etc/hostname"));
        Assert.That(check.StdOut.Split('\n').Where(l => l.StartsWith("identifying: ", StringComparison.Ordinal)),
            Is.All.StartWith("identifying: hostname: "), "nothing but the chosen host name may remain");
    }

    [Test]
    public void StandaloneCopies_EqualTheOverlayResult_WithAFixedClock()
    {
        using var temp = new TempDirectory();
        var input = TestImages.Copy("debian12-gpt.qcow2", temp);
        var overlay = temp.File("overlay.qcow2");
        var standaloneQcow2 = temp.File("standalone.qcow2");
        var standaloneRaw = temp.File("standalone.raw");
        var fixedClock = new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1764000000" };

        Seal(fixedClock, "seal", "-a", input, "--output", overlay);
        Seal(fixedClock, "seal", "-a", input, "--output", standaloneQcow2, "--standalone", "--no-progress");
        Seal(fixedClock, "seal", "-a", input, "--output", standaloneRaw, "--output-format", "raw", "--no-progress");

        DiskOracle.QemuImgCheck(overlay);
        DiskOracle.QemuImgCheck(standaloneQcow2);
        Assert.That(ExternalTool.Check("qemu-img", "info", standaloneQcow2), Does.Not.Contain("backing file"));
        Assert.That(ExternalTool.Run("qemu-img", "compare", input, overlay).ExitCode, Is.EqualTo(1), "sealing changed the content");
        Assert.That(ExternalTool.Run("qemu-img", "compare", overlay, standaloneQcow2).ExitCode, Is.Zero);
        Assert.That(ExternalTool.Run("qemu-img", "compare", overlay, standaloneRaw).ExitCode, Is.Zero);
        Assert.That(new FileInfo(standaloneRaw).Length, Is.EqualTo(new FileInfo(DiskOracle.ToRaw(input, temp)).Length));
    }

    private static void Seal(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var r = SealerProcess.RunWithEnvironment(environment, args);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
    }

    [Test]
    public void WholeDiskFileSystem_WithoutPartitionTable_IsSealed()
    {
        using var temp = new TempDirectory();
        var image = TestImages.Copy("ubuntu2404-whole.raw", temp);

        SealerProcess.RunOk("seal", "-a", image);

        DiskOracle.E2fsckClean(image);
        Assert.That(DiskOracle.Exists(image, "/var/lib/cloud/instances/i-123"), Is.False, "cloud-init instance state is cleaned");
        Assert.That(DiskOracle.Exists(image, "/etc/ssh/ssh_host_ed25519_key.pub"), Is.False);
        Assert.That(SealerProcess.Run("check", "-a", image).ExitCode, Is.Zero);
    }

    [Test]
    public void DirectoryTree_IsSealedInPlaceOnTheHost()
    {
        using var temp = new TempDirectory();
        var tree = temp.File("rootfs");
        ExternalTool.Check(Path.Combine(TestImages.RepositoryRoot, "testimages", "make-guest-tree.sh"), "debian12", tree);
        Assert.That(File.Exists(Path.Combine(tree, "etc/ssh/ssh_host_ed25519_key")), Is.True);

        SealerProcess.RunOk("seal", "--dir", tree);

        Assert.That(File.Exists(Path.Combine(tree, "etc/ssh/ssh_host_ed25519_key")), Is.False);
        Assert.That(new FileInfo(Path.Combine(tree, "etc/machine-id")).Length, Is.Zero);
        Assert.That(SealerProcess.Run("check", "--dir", tree).ExitCode, Is.Zero);
    }
}
