using System.Text;
using NUnit.Framework;
using Sealer.Core.Errors;
using Sealer.Core.FileSystems;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Guest.Tests;

/// <summary>Guest files are untrusted: garbage in fstab, os-release, hostname or symlinks must never crash inspection or assembly.</summary>
[TestFixture]
public sealed class MalformedGuestInputTests
{
    private static string RandomText(Random random, int length)
    {
        const string Alphabet = "UUID=LABEL=PARTUUID=/dev/sda1 \t\n\\0123456789#\"'=ext4,noauto,bind/..";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(8) == 0 ? (char)random.Next(1, 0x3000) : Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    [Test]
    public void RandomFstabAndOsRelease_NeverThrow()
    {
        var random = new Random(4242);
        for (var i = 0; i < 2000; i++)
        {
            var text = RandomText(random, random.Next(0, 400));
            var warnings = new List<string>();
            var entries = FstabParser.Parse(text, warnings);
            foreach (var entry in entries)
            {
                FstabDeviceMatcher.Find(entry.Spec, [], out _);
                FstabDeviceMatcher.KernelName(entry.Spec);
            }

            OsReleaseParser.Parse(text);
        }

        Assert.Pass("2000 random inputs parsed");
    }

    [Test]
    public void GarbageGuest_AssemblesWithWarningsOrAGuestError()
    {
        var random = new Random(7);
        using var temp = new TempDirectory("sealer-garbage");
        for (var round = 0; round < 20; round++)
        {
            var root = Path.Combine(temp.Path, $"r{round}");
            HostTree.File(root, "/etc/os-release", RandomText(random, 300));
            HostTree.File(root, "/etc/fstab", RandomText(random, 600));
            HostTree.File(root, "/etc/hostname", RandomText(random, 100));
            HostTree.Dir(root, "/usr/lib/systemd");
            HostTree.File(root, "/usr/lib/systemd/libsystemd-shared-99999999999999.so", string.Empty);
            HostTree.Link(root, "/usr/lib/os-release", RandomText(random, 50).Replace("\0", string.Empty, StringComparison.Ordinal) is { Length: > 0 } t ? t : "x");
            HostTree.Link(root, "/etc/cloud", "/etc/cloud/../cloud");
            var candidate = new CandidateFileSystem("/dev/sda1", 1, null, null, new FileSystemIdentity("ext4", "u", "l"), () => new HostDirectoryFileSystem(root));
            try
            {
                using var guest = GuestAssembler.Assemble([candidate]);
                Assert.That(guest.Info.SystemdVersion, Is.Null, "absurd version numbers are ignored");
                Assert.That(guest.Mounts, Has.Count.EqualTo(1));
            }
            catch (SealerException)
            {
                // A refusal with a message is fine; anything else would escape and fail the test.
            }
        }
    }
}
