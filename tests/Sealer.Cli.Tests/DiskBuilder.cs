using Sealer.TestSupport;

namespace Sealer.Cli.Tests;

/// <summary>Builds disk images from guest trees with the standard tools only (mke2fs -d, sfdisk, qemu-img).</summary>
internal static class DiskBuilder
{
    public const string LinuxFsType = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

    /// <summary>A GPT disk with one ext4 partition made from <paramref name="tree"/>, starting at 1 MiB.</summary>
    public static string GptWithOneExt4(TempDirectory temp, string tree, int sizeMiB, string name, string? uuid = null)
    {
        var raw = temp.File(name + ".raw");
        var fs = temp.File(name + ".ext4");
        using (var f = File.Create(raw))
        {
            f.SetLength((sizeMiB + 2) * 1024L * 1024);
        }

        ExternalTool.Run("sfdisk", ["-q", raw], $"label: gpt\nstart=2048, size={sizeMiB * 2048}, type={LinuxFsType}, name=root\n");
        var args = new List<string> { "-q", "-F", "-t", "ext4", "-d", tree };
        if (uuid is not null)
        {
            args.AddRange(["-U", uuid]);
        }

        args.AddRange([fs, $"{sizeMiB}M"]);
        ExternalTool.Check("mke2fs", [.. args]);
        ExternalTool.Check("dd", $"if={fs}", $"of={raw}", "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none");
        File.Delete(fs);
        return raw;
    }

    public static string ToQcow2(string raw)
    {
        var qcow2 = Path.ChangeExtension(raw, ".qcow2");
        ExternalTool.Check("qemu-img", "convert", "-O", "qcow2", raw, qcow2);
        return qcow2;
    }
}
