using Mesh.Contracts.Tools;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class RequestIdsTests
{
    private static readonly Guid Session = new("0b5e7f3a-2c4d-4e8f-9a1b-3c5d7e9f1a2b");
    private static readonly Guid Turn = new("7d3f9b1e-5a2c-4f6e-8b0d-2e4f6a8c0b1d");

    [Test]
    public void Same_call_always_gets_the_same_request_id()
    {
        var first = RequestIds.ForToolCall(Session, Turn, 3);
        var again = RequestIds.ForToolCall(new Guid(Session.ToString()), new Guid(Turn.ToString()), 3);

        Assert.That(again, Is.EqualTo(first));
    }

    [Test]
    public void Request_id_matches_an_independent_implementation_of_the_documented_algorithm()
    {
        // Computed with Python's hashlib and uuid from the algorithm in RequestIds.ForToolCall's documentation.
        Assert.Multiple(() =>
        {
            Assert.That(RequestIds.ForToolCall(Session, Turn, 0), Is.EqualTo(new Guid("3c207180-b42c-8b9d-a5f8-d852c2f3d08c")));
            Assert.That(RequestIds.ForToolCall(Session, Turn, 1), Is.EqualTo(new Guid("c0b5bd19-e7ec-85b5-817e-f34a03b5e235")));
        });
    }

    [Test]
    public void Each_input_changes_the_request_id()
    {
        var other = new Guid("5a8e2c14-9d3b-4f7a-b6e1-0c2d4f6a8b9e");
        var ids = new[]
        {
            RequestIds.ForToolCall(Session, Turn, 0),
            RequestIds.ForToolCall(Session, Turn, 1),
            RequestIds.ForToolCall(other, Turn, 0),
            RequestIds.ForToolCall(Session, other, 0),
            RequestIds.ForToolCall(Turn, Session, 0),
        };

        Assert.That(ids, Is.Unique);
    }

    [Test]
    public void Request_id_is_a_version_8_rfc_9562_uuid()
    {
        var id = RequestIds.ForToolCall(Session, Turn, 7);

        Assert.Multiple(() =>
        {
            Assert.That(id.Version, Is.EqualTo(8));
            Assert.That(id.Variant & 0xC, Is.EqualTo(0x8));
        });
    }

    [Test]
    public void Negative_call_index_is_rejected()
    {
        Assert.That(() => RequestIds.ForToolCall(Session, Turn, -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
