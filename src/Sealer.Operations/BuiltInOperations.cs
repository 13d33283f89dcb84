using Sealer.Operations.BuiltIn;

namespace Sealer.Operations;

/// <summary>Every built-in operation, by hand and in alphabetical order of name (no reflection: nothing can be
/// silently left out, and the list is AOT-safe). virt-sysprep's customize and script are absent on purpose: Sealer
/// runs no programs, guest or host.</summary>
public static class BuiltInOperations
{
    public static IReadOnlyList<ISealOperation> All { get; } =
    [
        new AbrtDataOperation(),
        new AppHistoryOperation(),
        new BackupFilesOperation(),
        new BashHistoryOperation(),
        new BlkidTabOperation(),
        new CaCertificatesOperation(),
        new CloudInitOperation(),
        new CrashDataOperation(),
        new CronSpoolOperation(),
        new DhcpClientStateOperation(),
        new DhcpServerStateOperation(),
        new DovecotDataOperation(),
        new FirewallRulesOperation(),
        new FlagReconfigurationOperation(),
        new FsUuidsOperation(),
        new HostnameOperation(),
        new IpaClientOperation(),
        new IscsiInitiatorNameOperation(),
        new KerberosDataOperation(),
        new KerberosHostkeytabOperation(),
        new LogfilesOperation(),
        new LvmSystemDevicesOperation(),
        new LvmUuidsOperation(),
        new MachineIdOperation(),
        new MailSpoolOperation(),
        new NetHostnameOperation(),
        new NetHwaddrOperation(),
        new NetNmconnOperation(),
        new NetNmstateOperation(),
        new PacctLogOperation(),
        new PackageManagerCacheOperation(),
        new PamDataOperation(),
        new PasswdBackupsOperation(),
        new PuppetDataLogOperation(),
        new RandomSeedOperation(),
        new RhSubscriptionManagerOperation(),
        new RhnSystemidOperation(),
        new RpmDbOperation(),
        new SambaDbLogOperation(),
        new SmoltUuidOperation(),
        new SshHostkeysOperation(),
        new SshUserdirOperation(),
        new SssdDbLogOperation(),
        new TmpFilesOperation(),
        new UdevPersistentNetOperation(),
        new UserAccountOperation(),
        new UtmpOperation(),
        new YumUuidOperation(),
        new ZshHistoryOperation(),
    ];
}
