using NUnit.Framework;

namespace Sealer.Identity.Tests;

[TestFixture]
public sealed class MachineIdTests
{
    [Test]
    public void Format_and_v4_bits_hold_over_many_draws()
    {
        const int Draws = 10_000;
        var seen = new HashSet<string>();
        var bitsSeen = new int[128];
        for (var i = 0; i < Draws; i++)
        {
            var id = MachineId.Generate();
            Assert.That(id, Does.Match("^[0-9a-f]{32}$"));
            Assert.That(MachineId.IsValid(id), Is.True);
            Assert.That(id[12], Is.EqualTo('4'), $"{id}: UUID version nibble");
            Assert.That("89ab", Does.Contain(id[16].ToString()), $"{id}: RFC 4122 variant");
            Assert.That(Guid.ParseExact(id, "N").Version, Is.EqualTo(4));
            var bytes = Convert.FromHexString(id);
            for (var b = 0; b < 128; b++)
            {
                bitsSeen[b] += (bytes[b / 8] >> (7 - (b % 8))) & 1;
            }

            seen.Add(id);
        }

        Assert.That(seen, Has.Count.EqualTo(Draws));

        // The 6 fixed bits are constant; the other 122 are random (each set in roughly half of the draws).
        int[] fixedOne = [49, 64];
        int[] fixedZero = [48, 50, 51, 65];
        for (var b = 0; b < 128; b++)
        {
            if (fixedOne.Contains(b))
            {
                Assert.That(bitsSeen[b], Is.EqualTo(Draws), $"bit {b}");
            }
            else if (fixedZero.Contains(b))
            {
                Assert.That(bitsSeen[b], Is.Zero, $"bit {b}");
            }
            else
            {
                Assert.That(bitsSeen[b], Is.InRange(Draws * 0.45, Draws * 0.55), $"bit {b}");
            }
        }
    }

    [TestCase("0123456789abcdef0123456789abcdef", true)]
    [TestCase("0123456789ABCDEF0123456789abcdef", false)]
    [TestCase("0123456789abcdef0123456789abcde", false)]
    [TestCase("0123456789abcdef0123456789abcdeg", false)]
    public void IsValid_accepts_only_32_lowercase_hex(string value, bool valid) =>
        Assert.That(MachineId.IsValid(value), Is.EqualTo(valid));
}
