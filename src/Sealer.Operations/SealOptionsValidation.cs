namespace Sealer.Operations;

/// <summary>Rejects options that belong to an operation that is not selected (virt-sysprep's not_enabled_check_args),
/// before anything is opened.</summary>
public static class SealOptionsValidation
{
    /// <summary>Throws <see cref="SealOptionException"/>, e.g. "--keep-user-accounts was given but operation
    /// 'user-account' is not enabled".</summary>
    public static void Check(SealOptions options, IReadOnlyList<ISealOperation> selected)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(selected);
        var defaults = new SealOptions();
        Require(options.Hostname is not null, "--hostname", "hostname", selected);
        Require(options.MachineId != defaults.MachineId, "--machine-id", "machine-id", selected);
        Require(options.KeepCloudInitSeed != defaults.KeepCloudInitSeed, "--remove-cloud-init-seed", "cloud-init", selected);
        Require(options.KeepUserAccounts.Count > 0, "--keep-user-accounts", "user-account", selected);
        Require(options.RemoveUserAccounts.Count > 0, "--remove-user-accounts", "user-account", selected);
        if (options.Hostname is not null && !BuiltIn.HostnameOperation.IsValid(options.Hostname))
        {
            throw new SealOptionException($"--hostname: '{options.Hostname}' is not a valid host name (RFC 1123)");
        }
    }

    private static void Require(bool given, string option, string operation, IReadOnlyList<ISealOperation> selected)
    {
        if (given && !selected.Any(o => o.Name == operation))
        {
            throw new SealOptionException($"{option} was given but operation '{operation}' is not enabled");
        }
    }
}
