namespace Sealer.Core.FileSystems;

/// <summary>One name in a directory listing ("." and ".." are never listed).</summary>
public readonly record struct DirectoryEntry(string Name, FileKind Kind, long Inode);
