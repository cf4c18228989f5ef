using Mesh.Contracts.Common;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class TimeOrderedIdsTests
{
    [Test]
    public void Ids_made_in_the_same_millisecond_still_increase()
    {
        var frozen = new ManualClock(new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 10_000).Select(_ => TimeOrderedIds.NewId(frozen)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(ids.Select(Text), Is.Ordered.Using<string>(StringComparer.Ordinal).And.Unique);
            Assert.That(ids.Select(Bytes), Is.Ordered.Using<byte[]>(ByteOrder.Instance));
        });
    }

    [Test]
    public void A_clock_stepping_back_does_not_reorder_ids()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 22, 7, 0, 0, TimeSpan.Zero));
        var before = TimeOrderedIds.NewId(clock);
        clock.Advance(TimeSpan.FromSeconds(-5));
        var after = TimeOrderedIds.NewId(clock);

        Assert.That(string.CompareOrdinal(Text(after), Text(before)), Is.Positive);
    }

    [Test]
    public void Ids_are_version_7_and_carry_their_millisecond()
    {
        var at = new DateTimeOffset(2027, 3, 1, 12, 30, 0, 123, TimeSpan.Zero);
        var id = TimeOrderedIds.NewId(new ManualClock(at));
        var bytes = Bytes(id);
        var milliseconds = bytes[..6].Aggregate(0L, (acc, b) => (acc << 8) | b);

        Assert.Multiple(() =>
        {
            Assert.That(id.Version, Is.EqualTo(7));
            Assert.That(bytes[8] >> 6, Is.EqualTo(0b10), "RFC 9562 variant");
            Assert.That(milliseconds, Is.EqualTo(at.ToUnixTimeMilliseconds()));
        });
    }

    private static string Text(Guid id) => id.ToString("D");

    private static byte[] Bytes(Guid id) => id.ToByteArray(bigEndian: true);

    /// <summary>Byte-wise order, the order PostgreSQL gives <c>uuid</c> values.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
