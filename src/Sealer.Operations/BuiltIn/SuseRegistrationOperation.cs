using Sealer.Core.FileSystems;
using Sealer.Guest.Inspection;

namespace Sealer.Operations.BuiltIn;

internal sealed class SuseRegistrationOperation : SealOperationBase
{
    private const string AnonymousId = "/var/lib/zypp/AnonymousUniqueId";
    private const string Credentials = "/etc/zypp/credentials.d";
    private const string SystemCredentials = "/etc/zypp/credentials.d/SCCcredentials";
    private const string ServicesGlob = "/etc/zypp/services.d/*.service";

    public override string Name => "suse-registration";

    public override string Heading => "Remove the SUSE Customer Center registration and zypp's anonymous ID";

    public override bool AppliesTo(GuestInfo guest) => guest.Family == DistroFamily.Suse;

    public override string Description =>
        $"{AnonymousId} identifies the installation to repository servers, {SystemCredentials} is the system's " +
        "SCC login; clones sharing them count as one registered system. The offline equivalent of `SUSEConnect " +
        $"--cleanup`: removes both, every zypper service in {ServicesGlob} whose URL points at scc.suse.com and the " +
        $"credentials file its credentials= parameter names in {Credentials}/. zypp makes a new anonymous ID; each " +
        "clone registers again (SUSEConnect -r, or registercloudguest). Other services, repositories and their " +
        "credentials are kept. SUSE only.";

    public override void Perform(SealContext context)
    {
        var files = context.Files;
        files.DeleteIfExists(AnonymousId);
        files.DeleteIfExists(SystemCredentials);
        foreach (var service in files.Glob(ServicesGlob))
        {
            var url = GuestFiles.SplitLines(files.ReadAllText(service) ?? string.Empty)
                .Select(l => l.Split('=', 2))
                .Where(kv => kv.Length == 2 && kv[0].Trim() == "url")
                .Select(kv => kv[1].Trim())
                .FirstOrDefault();
            if (url is null || !url.Contains("scc.suse.com", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            files.DeleteIfExists(service);
            var at = url.IndexOf("credentials=", StringComparison.Ordinal);
            var name = at < 0 ? null : url[(at + "credentials=".Length)..].Split('&')[0];
            if (!string.IsNullOrEmpty(name) && !name.Contains('/', StringComparison.Ordinal) && name is not ("." or ".."))
            {
                files.DeleteIfExists(PosixPath.Combine(Credentials, name));
            }
        }
    }
}
