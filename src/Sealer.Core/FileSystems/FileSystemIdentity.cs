namespace Sealer.Core.FileSystems;

/// <summary>How /etc/fstab can name a file system: its type, UUID (lower-case text form) and label.</summary>
public sealed record FileSystemIdentity(string Type, string? Uuid, string? Label);
