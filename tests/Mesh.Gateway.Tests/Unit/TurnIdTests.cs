using Mesh.Gateway.Sessions;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

public sealed class TurnIdTests
{
    private static readonly Guid Session = new("0b5e7f3a-2c4d-4e8f-9a1b-3c5d7e9f1a2b");

    [Test]
    public void A_resend_with_the_same_client_msg_id_maps_to_the_same_turn()
    {
        var first = TurnIds.For(Session, "web-7f1c2a");
        var resend = TurnIds.For(Session, "web-7f1c2a");

        Assert.That(resend, Is.EqualTo(first));
    }

    [Test]
    public void Turn_ids_match_an_independent_implementation_of_the_documented_derivation()
    {
        // Computed with Python's hashlib and uuid from the rule in TurnIds.For's documentation.
        Assert.That(TurnIds.For(Session, "web-7f1c2a"), Is.EqualTo(new Guid("b71e097c-5433-8961-bee1-9d16de1e22f0")));
    }

    [Test]
    public void Different_client_msg_ids_or_sessions_map_to_different_turns()
    {
        var turn = TurnIds.For(Session, "web-7f1c2a");

        Assert.Multiple(() =>
        {
            Assert.That(TurnIds.For(Session, "web-7f1c2b"), Is.Not.EqualTo(turn));
            Assert.That(TurnIds.For(Guid.NewGuid(), "web-7f1c2a"), Is.Not.EqualTo(turn));
        });
    }

    [Test]
    public void Turn_ids_from_client_msg_ids_are_name_based_uuid_v8_with_the_rfc_variant()
    {
        var text = TurnIds.For(Session, "m1").ToString("D");

        Assert.Multiple(() =>
        {
            Assert.That(text[14], Is.EqualTo('8'), "version nibble");
            Assert.That(text[19], Is.AnyOf('8', '9', 'a', 'b'), "variant bits 10");
        });
    }

    [Test]
    public void Without_a_client_msg_id_every_message_opens_a_new_turn()
    {
        var first = TurnIds.For(Session, null);
        var second = TurnIds.For(Session, null);

        Assert.That(second, Is.Not.EqualTo(first));
    }
}
