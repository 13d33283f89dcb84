using NUnit.Framework;

namespace Sealer.Images.Tests;

[TestFixture]
public sealed class SmokeTests
{
    [Test]
    public void AssemblyLoads() => Assert.That(typeof(SmokeTests).Assembly.GetName().Name, Is.EqualTo("Sealer.Images.Tests"));
}
