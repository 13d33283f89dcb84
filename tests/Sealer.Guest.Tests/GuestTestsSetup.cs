using NUnit.Framework;

namespace Sealer.Guest.Tests;

[SetUpFixture]
public sealed class GuestTestsSetup
{
    [OneTimeTearDown]
    public void DeleteTrees() => HostTree.DeleteCachedTrees();
}
