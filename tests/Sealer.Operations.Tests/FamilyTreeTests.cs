using NUnit.Framework;
using Sealer.Guest;
using Sealer.Guest.Host;
using Sealer.Guest.Inspection;
using Sealer.TestSupport;

namespace Sealer.Operations.Tests;

/// <summary>
/// A default seal over a used system of each of the seven families (testimages/make-family-tree.sh), through the real
/// guest view of a directory. The script's manifest lists what is per-machine and what must be kept; `find` and
/// `sha256sum` read the tree back independently of Sealer's own file system code.
/// </summary>
[TestFixture]
[Category("Oracle")]
public sealed class FamilyTreeTests
{
    public static readonly string[] Families = ["debian12", "ubuntu2404", "fedora40", "rhel9", "sles15", "arch", "alpine"];

    [TestCaseSource(nameof(Families))]
    public void DefaultSeal_LeavesNothingPerMachine_KeepsWhatATemplateNeeds_AndASecondSealChangesNothing(string family)
    {
        ExternalTool.Require("ssh-keygen");
        using var dir = new TempDirectory("sealer-family");
        var tree = dir.File("root");
        var manifestPath = dir.File("manifest");
        var made = ExternalTool.Run("bash", Path.Combine(RepositoryPaths.TestImages, "make-family-tree.sh"), family, tree, manifestPath);
        Assert.That(made.ExitCode, Is.Zero, made.ToString());
        var manifest = File.ReadAllLines(manifestPath).Select(l => l.Split('\t')).ToList();
        var before = Snapshot(tree);

        var report = Seal(tree);
        Assert.That(report.Succeeded, Is.True, report.ToText());
        var after = Snapshot(tree);
        var warnings = report.Operations.SelectMany(o => o.Warnings).ToList();
        TestContext.Out.WriteLine(report.ToText());

        var remaining = new List<string>();
        var broken = new List<string>();
        foreach (var item in manifest)
        {
            var (kind, path) = (item[0], item[1]);
            var text = after.ContainsKey(path) ? ReadGuestText(tree, path) : null;
            switch (kind)
            {
                case "machine" when item.Length == 2 && after.ContainsKey(path):
                    remaining.Add(path);
                    break;
                case "machine" when item.Length == 3 && text is not null && text.Contains(item[2], StringComparison.Ordinal):
                    remaining.Add($"{path} ({item[2]})");
                    break;
                case "empty" when !after.TryGetValue(path, out var entry) || !entry.StartsWith("f\t", StringComparison.Ordinal) || text != string.Empty:
                    remaining.Add($"{path} (not an empty file)");
                    break;
                case "warned" when !after.ContainsKey(path) || !warnings.Any(w => w.Contains(path, StringComparison.Ordinal)):
                    remaining.Add($"{path} (kept without a warning naming it)");
                    break;
                case "keep" when !after.TryGetValue(path, out var entry) || Metadata(entry, path) != Metadata(before[path], path):
                    broken.Add(path);
                    break;
                case "has" when text is null || !text.Contains(item[2], StringComparison.Ordinal):
                    broken.Add($"{path} (lost '{item[2]}')");
                    break;
                case "made" when !after.ContainsKey(path):
                    broken.Add($"{path} (boot-time generator not installed)");
                    break;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(remaining, Is.Empty, $"per-machine items left after a default seal of {family}:\n{report.ToText()}");
            Assert.That(broken, Is.Empty, $"items a template needs, changed by a default seal of {family}");
        });

        var second = Seal(tree);
        Assert.That(second.Succeeded, Is.True, second.ToText());
        Assert.That(second.AllActions.Select(a => $"{a.Operation}: {a.Kind} {a.Path}"), Is.Empty, "a second seal must change nothing");
        var again = Snapshot(tree);
        Assert.That(again.Where(e => !after.TryGetValue(e.Key, out var v) || v != e.Value).Select(e => e.Key), Is.Empty,
            "a second seal must write nothing (content, mode, owner, mtime and ctime unchanged)");
        Assert.That(again.Keys, Is.EquivalentTo(after.Keys));
    }

    private static SealReport Seal(string tree)
    {
        using var guest = new GuestRoot(new HostDirectoryFileSystem(tree));
        var info = GuestInspector.Inspect(guest);
        return SealRunner.Run(guest, info, OperationSelection.Defaults.Resolve(OperationRegistry.CreateDefault()), new SealOptions());
    }

    /// <summary>path -> "type mode uid gid size mtime ctime target sha256", from find(1) and sha256sum(1).</summary>
    private static Dictionary<string, string> Snapshot(string tree)
    {
        var listing = ExternalTool.Check("find", tree, "-mindepth", "1", "-printf", "/%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%C@\t%l\n");
        var entries = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var files = entries.Where(e => e.Value.StartsWith("f\t", StringComparison.Ordinal)).Select(e => e.Key).ToList();
        foreach (var chunk in files.Chunk(200))
        {
            var sums = ExternalTool.Check("sha256sum", [.. chunk.Select(p => tree + p)]);
            foreach (var line in sums.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var path = line[66..][tree.Length..];
                entries[path] += "\t" + line[..64];
            }
        }

        return entries;
    }

    /// <summary>What a kept item must not lose: type, mode, owner, link target and content; a directory's size and
    /// times change when entries below it go, so only its type, mode and owner count.</summary>
    private static string Metadata(string entry, string path)
    {
        var f = entry.Split('\t');
        return f[0] == "d" ? $"{path} d {f[1]} {f[2]} {f[3]}" : $"{path} {f[0]} {f[1]} {f[2]} {f[3]} {f[4]} {f[7]} {(f.Length > 8 ? f[8] : string.Empty)}";
    }

    private static string? ReadGuestText(string tree, string path)
    {
        var host = tree + path;
        return File.Exists(host) && !new FileInfo(host).Attributes.HasFlag(FileAttributes.ReparsePoint) ? File.ReadAllText(host) : null;
    }
}
