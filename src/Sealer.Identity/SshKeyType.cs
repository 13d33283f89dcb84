namespace Sealer.Identity;

/// <summary>The SSH host key types Sealer generates, as sshd's HostKey files name them.</summary>
public enum SshKeyType
{
    /// <summary>ssh-ed25519 (ssh_host_ed25519_key).</summary>
    Ed25519,

    /// <summary>ecdsa-sha2-nistp256 (ssh_host_ecdsa_key).</summary>
    EcdsaNistp256,

    /// <summary>ssh-rsa (ssh_host_rsa_key), 3072 bits by default like ssh-keygen.</summary>
    Rsa,
}

/// <summary>Names OpenSSH uses for each key type.</summary>
public static class SshKeyTypeNames
{
    /// <summary>The key type string of the public key blob and the .pub line.</summary>
    public static string WireName(this SshKeyType type) => type switch
    {
        SshKeyType.Ed25519 => "ssh-ed25519",
        SshKeyType.EcdsaNistp256 => "ecdsa-sha2-nistp256",
        SshKeyType.Rsa => "ssh-rsa",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown SSH key type"),
    };

    /// <summary>The upper-case family name ssh-keygen -l prints in parentheses.</summary>
    public static string FamilyName(this SshKeyType type) => type switch
    {
        SshKeyType.Ed25519 => "ED25519",
        SshKeyType.EcdsaNistp256 => "ECDSA",
        SshKeyType.Rsa => "RSA",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown SSH key type"),
    };

    /// <summary>The file-name part of /etc/ssh/ssh_host_NAME_key.</summary>
    public static string HostKeyFileName(this SshKeyType type) => type switch
    {
        SshKeyType.Ed25519 => "ssh_host_ed25519_key",
        SshKeyType.EcdsaNistp256 => "ssh_host_ecdsa_key",
        SshKeyType.Rsa => "ssh_host_rsa_key",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown SSH key type"),
    };
}
