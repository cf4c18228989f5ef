using System.Text;
using Mesh.Gateway.Realtime;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

public sealed class ClientFrameTests
{
    private const int Max = 64 * 1024;

    private static ClientFrame Parse(string json) => ClientFrame.Parse(Encoding.UTF8.GetBytes(json), Max);

    [Test]
    public void Chat_send_carries_the_message_and_client_msg_id()
    {
        Assert.That(Parse("""{"type":"chat.send","message":"hi","client_msg_id":"c-1"}"""), Is.EqualTo(new SendFrame("hi", "c-1")));
    }

    [Test]
    public void Chat_cancel_names_a_turn_or_none_for_the_running_one()
    {
        var turn = Guid.NewGuid();

        Assert.Multiple(() =>
        {
            Assert.That(Parse($$"""{"type":"chat.cancel","turn_id":"{{turn}}"}"""), Is.EqualTo(new CancelFrame(turn)));
            Assert.That(Parse("""{"type":"chat.cancel"}"""), Is.EqualTo(new CancelFrame(null)));
        });
    }

    [Test]
    public void Ping_echoes_its_id()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse("""{"type":"ping","id":"7"}"""), Is.EqualTo(new PingFrame("7")));
            Assert.That(Parse("""{"type":"ping"}"""), Is.EqualTo(new PingFrame(null)));
        });
    }

    [TestCase("not json", "invalid_json")]
    [TestCase("[1,2]", "invalid_frame")]
    [TestCase("""{"message":"hi"}""", "missing_type")]
    [TestCase("""{"type":42}""", "missing_type")]
    [TestCase("""{"type":"chat.explode"}""", "unknown_type")]
    [TestCase("""{"type":"chat.send"}""", "missing_message")]
    [TestCase("""{"type":"chat.send","message":"   "}""", "message_empty")]
    [TestCase("""{"type":"chat.send","message":"hi","client_msg_id":"has space"}""", "invalid_client_msg_id")]
    [TestCase("""{"type":"chat.send","message":"hi","client_msg_id":12}""", "invalid_client_msg_id")]
    [TestCase("""{"type":"chat.cancel","turn_id":"nope"}""", "invalid_turn_id")]
    public void Malformed_frames_are_refused_with_a_stable_code(string json, string code)
    {
        Assert.That(Parse(json), Is.TypeOf<InvalidFrame>().With.Property(nameof(InvalidFrame.Code)).EqualTo(code));
    }

    [Test]
    public void A_message_over_the_limit_is_refused_and_keeps_its_client_msg_id()
    {
        var frame = Parse($$"""{"type":"chat.send","message":"{{new string('a', Max + 1)}}","client_msg_id":"big-1"}""");

        Assert.That(frame, Is.EqualTo(new InvalidFrame("message_too_large", $"The message is larger than {Max} bytes.", "big-1")));
    }
}
