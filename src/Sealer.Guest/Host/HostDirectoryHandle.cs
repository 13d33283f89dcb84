namespace Sealer.Guest.Host;

/// <summary>A directory file descriptor plus the name of the last path component inside it.
/// Name is "" when the path is the tree's root itself.</summary>
internal readonly struct HostDirectoryHandle(int fd, bool ownsFd, string name) : IDisposable
{
    public int Fd { get; } = fd;

    public string Name { get; } = name;

    public bool IsRoot => Name.Length == 0;

    /// <summary>The name for *at() calls that act on the entry itself ("." for the root).</summary>
    public string NameOrDot => Name.Length == 0 ? "." : Name;

    public void Dispose()
    {
        if (ownsFd)
        {
            HostNative.Close(Fd);
        }
    }
}
