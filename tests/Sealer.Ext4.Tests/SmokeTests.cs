using NUnit.Framework;

namespace Sealer.Ext4.Tests;

[TestFixture]
public sealed class SmokeTests
{
    [Test]
    public void AssemblyLoads() => Assert.That(typeof(SmokeTests).Assembly.GetName().Name, Is.EqualTo("Sealer.Ext4.Tests"));
}
