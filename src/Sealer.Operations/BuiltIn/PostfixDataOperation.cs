using Sealer.Core.FileSystems;

namespace Sealer.Operations.BuiltIn;

internal sealed class PostfixDataOperation : SealOperationBase
{
    private const string Spool = "/var/spool/postfix";

    private static readonly string[] Queues =
        ["active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "maildrop", "saved", "trace"];

    private const string State = "/var/lib/postfix";

    public override string Name => "postfix-data";

    public override string Heading => "Remove postfix's mail queues and caches";

    public override string Description =>
        $"Queued mail is the template's (addressed from its name) and would be delivered by every clone; the TLS " +
        $"session caches, PRNG state and master.lock in {State} belong to the template's postfix. Removes every file " +
        $"below {Spool}/{{{string.Join(",", Queues)}}} (the queue directories stay, with their owners and modes: " +
        $"postfix needs them) and every file in {State}/. postfix recreates the caches. Configuration is not touched " +
        "(the template's myhostname is handled by hostname).";

    public override void Perform(SealContext context)
    {
        foreach (var queue in Queues)
        {
            context.Files.DeleteFilesBelow(PosixPath.Combine(Spool, queue));
        }

        context.Files.DeleteFilesBelow(State);
    }
}
