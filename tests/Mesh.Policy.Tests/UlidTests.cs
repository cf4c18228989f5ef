using Mesh.Policy.Storage;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class UlidTests
{
    [Test]
    public void New_ids_have_openfgas_format_and_sort_in_creation_order_even_within_one_millisecond()
    {
        var frozen = new ManualClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var ids = Enumerable.Range(0, 1000).Select(_ => Ulid.NewId(frozen)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.All.Matches<string>(Ulid.IsWellFormed));
            Assert.That(ids, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(ids, Is.Unique);
        });
    }

    [Test]
    public void Later_time_gives_a_greater_id()
    {
        var early = Ulid.NewId(new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        var late = Ulid.NewId(new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 1, TimeSpan.Zero)));
        Assert.That(string.CompareOrdinal(late, early), Is.Positive);
    }

    [TestCase("01ARZ3NDEKTSV4RRFFQ69G5FAV", true)]
    [TestCase("01ARZ3NDEKTSV4RRFFQ69G5FA", false)]
    [TestCase("01ARZ3NDEKTSV4RRFFQ69G5FAU", false)]
    [TestCase("81ARZ3NDEKTSV4RRFFQ69G5FAV", false)]
    [TestCase("01arz3ndektsv4rrffq69g5fav", false)]
    public void Well_formed_means_26_crockford_characters_within_128_bits(string value, bool expected) =>
        Assert.That(Ulid.IsWellFormed(value), Is.EqualTo(expected));

}
