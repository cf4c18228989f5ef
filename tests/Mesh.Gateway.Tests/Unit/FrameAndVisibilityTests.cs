using System.Text.Json;
using Mesh.Gateway.Realtime;
using Mesh.Gateway.Sessions;
using Mesh.Infra.Auth;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

public sealed class FrameAndVisibilityTests
{
    [Test]
    public void Error_frames_carry_the_event_error_shape_and_no_seq()
    {
        using var frame = JsonDocument.Parse(ServerFrames.Error("invalid_json", "The frame is not JSON.", "c-1"));
        var root = frame.RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("error"));
            Assert.That(root.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("invalid_json"));
            Assert.That(root.GetProperty("error").GetProperty("message").GetString(), Is.EqualTo("The frame is not JSON."));
            Assert.That(root.GetProperty("client_msg_id").GetString(), Is.EqualTo("c-1"));
            Assert.That(root.TryGetProperty("seq", out _), Is.False);
        });
    }

    [Test]
    public void Ack_frames_name_the_turn_and_whether_it_was_a_resend()
    {
        var turn = Guid.NewGuid();
        using var frame = JsonDocument.Parse(ServerFrames.Ack("chat.send", turn, "c-1", null, duplicate: true));
        var root = frame.RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("ack"));
            Assert.That(root.GetProperty("of").GetString(), Is.EqualTo("chat.send"));
            Assert.That(root.GetProperty("turn_id").GetGuid(), Is.EqualTo(turn));
            Assert.That(root.GetProperty("duplicate").GetBoolean(), Is.True);
            Assert.That(root.TryGetProperty("message_id", out _), Is.False);
        });
    }

    [Test]
    public void A_session_is_visible_to_its_owner_and_the_tenant_admins_only()
    {
        var session = new Session(Guid.NewGuid(), "acme", "alice", null, new Dictionary<string, string>(), DateTimeOffset.UtcNow);

        Assert.Multiple(() =>
        {
            Assert.That(session.IsVisibleTo(new ApiKeyPrincipal(Guid.NewGuid(), "acme", "alice", false, false)), Is.True, "owner");
            Assert.That(session.IsVisibleTo(new ApiKeyPrincipal(Guid.NewGuid(), "acme", "root", true, false)), Is.True, "tenant admin");
            Assert.That(session.IsVisibleTo(new ApiKeyPrincipal(Guid.NewGuid(), "acme", "bob", false, false)), Is.False, "another actor");
            Assert.That(session.IsVisibleTo(new ApiKeyPrincipal(Guid.NewGuid(), "globex", "alice", true, false)), Is.False, "another tenant's admin");
        });
    }
}
