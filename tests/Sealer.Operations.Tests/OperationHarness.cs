using Sealer.Guest.Inspection;
using Sealer.Operations.Tests.Fakes;

namespace Sealer.Operations.Tests;

/// <summary>Runs one operation (by registry name) the way SealRunner does and returns its context.</summary>
internal static class OperationHarness
{
    private static readonly OperationRegistry Registry = OperationRegistry.CreateDefault();

    public static ISealOperation Op(string name) => Registry.Find(name) ?? throw new ArgumentException($"no operation {name}");

    public static SealContext Run(string name, InMemoryFileSystem fs, GuestInfo guest, SealOptions? options = null)
    {
        var context = new SealContext(new GuestFiles(fs, name), guest, options ?? new SealOptions(), new Random(42), new FixedTime());
        Op(name).Perform(context);
        return context;
    }

    /// <summary>"kind path" of every recorded action, for compact exact assertions.</summary>
    public static List<string> Summary(SealContext context) =>
        context.Files.Actions.Select(a => $"{SealReport.KindWord(a.Kind)} {a.Path}").ToList();

    public sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    }
}
