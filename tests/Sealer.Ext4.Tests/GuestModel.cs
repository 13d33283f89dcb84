using System.Text;
using Sealer.Core.FileSystems;

namespace Sealer.Ext4.Tests;

/// <summary>What the filesystem should contain: the oracle's view is compared against this model.</summary>
internal sealed class GuestModel
{
    public sealed record Node(FileKind Kind, byte[] Content, string Target, int Mode, int Uid, int Gid);

    public SortedDictionary<string, Node> Nodes { get; } = new(StringComparer.Ordinal);

    public void File(string path, byte[] content, int mode = 0x1A4, int uid = 0, int gid = 0) =>
        Nodes[path] = new Node(FileKind.Regular, content, "", mode, uid, gid);

    public void Dir(string path, int mode = 0x1ED, int uid = 0, int gid = 0) =>
        Nodes[path] = new Node(FileKind.Directory, [], "", mode, uid, gid);

    public void Link(string path, string target) => Nodes[path] = new Node(FileKind.Symlink, [], target, 0x1FF, 0, 0);

    public void RemoveTree(string path)
    {
        foreach (var key in Nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
        {
            Nodes.Remove(key);
        }
    }

    public void Move(string from, string to)
    {
        RemoveTree(to);
        foreach (var key in Nodes.Keys.Where(k => k == from || k.StartsWith(from + "/", StringComparison.Ordinal)).ToList())
        {
            var node = Nodes[key];
            Nodes.Remove(key);
            Nodes[to + key[from.Length..]] = node;
        }
    }

    /// <summary>One-line description used in assertion messages.</summary>
    public static string Describe(Node n) =>
        $"{n.Kind} mode={Convert.ToString(n.Mode, 8)} uid={n.Uid} gid={n.Gid} len={n.Content.Length} target={n.Target}";

    public static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
