using System.Net.WebSockets;
using System.Text.Json;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

public sealed class WebSocketFramingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Test]
    public async Task Malformed_frames_get_error_frames_and_the_socket_stays_open()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey);

        var codes = new List<string>();
        foreach (var bad in new[]
        {
            "not json",
            """{"type":"chat.explode"}""",
            """{"type":"chat.send"}""",
            """{"type":"chat.send","message":"hi","client_msg_id":"has space"}""",
            """{"type":"chat.cancel","turn_id":"nope"}""",
            $$"""{"type":"chat.send","message":"{{new string('a', 64 * 1024 + 1)}}","client_msg_id":"big"}""",
        })
        {
            await socket.SendTextAsync(bad);
            var reply = (await socket.ReceiveAsync(Wait))!.Value;
            codes.Add($"{reply.Type()}:{reply.GetProperty("error").GetProperty("code").GetString()}");
        }
        await socket.SendTextAsync("\u0001\u0002", WebSocketMessageType.Binary);
        var binary = (await socket.ReceiveAsync(Wait))!.Value;
        await socket.SendAsync(new { type = "ping", id = "after-errors" });
        var pong = (await socket.ReceiveAsync(Wait))!.Value;

        Assert.Multiple(() =>
        {
            Assert.That(codes, Is.EqualTo(new[]
            {
                "error:invalid_json", "error:unknown_type", "error:missing_message", "error:invalid_client_msg_id",
                "error:invalid_turn_id", "error:message_too_large",
            }));
            Assert.That(binary.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("binary_not_supported"));
            Assert.That(pong.Type(), Is.EqualTo("pong"));
            Assert.That(pong.Str("id"), Is.EqualTo("after-errors"));
            Assert.That(socket.Socket.State, Is.EqualTo(WebSocketState.Open));
        });
    }

    [Test]
    public async Task A_frame_larger_than_the_frame_limit_gets_an_error_and_the_next_frame_is_read_normally()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey);

        await socket.SendTextAsync(new string('x', 600 * 1024));
        var tooLarge = (await socket.ReceiveAsync(Wait))!.Value;
        await socket.SendAsync(new { type = "ping" });
        var pong = (await socket.ReceiveAsync(Wait))!.Value;

        Assert.Multiple(() =>
        {
            Assert.That(tooLarge.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("frame_too_large"));
            Assert.That(pong.Type(), Is.EqualTo("pong"));
        });
    }

    [Test]
    public async Task A_browser_presents_its_key_as_a_subprotocol_and_gets_mesh_v1_back()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey, browserStyle: true);
        await socket.SendAsync(new { type = "ping" });
        var pong = (await socket.ReceiveAsync(Wait))!.Value;

        Assert.Multiple(() =>
        {
            Assert.That(socket.Socket.SubProtocol, Is.EqualTo("mesh.v1"));
            Assert.That(pong.Type(), Is.EqualTo("pong"));
        });
    }

    [Test]
    public async Task An_upgrade_without_a_valid_key_is_refused_with_401()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        var status = await ChatSocket.RefusedStatusAsync(ChatStack.Gateway.BaseAddress, session, "mesh_not_a_key");

        Assert.That(status, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Chat_send_is_acknowledged_with_its_turn_and_a_resend_is_marked_duplicate()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey);

        await socket.SendAsync(new { type = "chat.send", message = "hello", client_msg_id = "ws-1" });
        var first = await socket.ReceiveUntilAsync(f => f.Type() == "ack", Wait);
        await socket.SendAsync(new { type = "chat.send", message = "hello", client_msg_id = "ws-1" });
        var second = await socket.ReceiveUntilAsync(f => f.Type() == "ack", Wait);
        var inbound = await KcatRead.AllAsync(ChatStack.Stack.Kafka.BootstrapServers, "conversation.inbound", session.ToString("D"));

        Assert.Multiple(() =>
        {
            Assert.That(first[^1].GetProperty("turn_id").GetGuid(), Is.EqualTo(Sessions.TurnIds.For(session, "ws-1")));
            Assert.That(first[^1].GetProperty("duplicate").GetBoolean(), Is.False);
            Assert.That(second[^1].GetProperty("duplicate").GetBoolean(), Is.True);
            Assert.That(second[^1].GetProperty("turn_id").GetGuid(), Is.EqualTo(first[^1].GetProperty("turn_id").GetGuid()));
            Assert.That(inbound.Count(m => JsonDocument.Parse(m.Value).RootElement.GetProperty("client_msg_id").GetString() == "ws-1"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_silent_websocket_is_closed_after_the_idle_timeout_while_a_pinging_one_stays()
    {
        var key = await ChatStack.IssueKeyAsync("dev", "idle-tester", admin: false);
        using var client = ChatStack.Client(key, ChatStack.Tuned);
        var session = await Api.CreateSessionAsync(client);
        await using var silent = await ChatSocket.ConnectAsync(ChatStack.TunedGateway.BaseAddress, session, key);
        await using var pinging = await ChatSocket.ConnectAsync(ChatStack.TunedGateway.BaseAddress, session, key);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement? silentFrame = default;
        var silentTask = silent.ReceiveAsync(TimeSpan.FromSeconds(30));
        while (!silentTask.IsCompleted && DateTime.UtcNow < deadline)
        {
            await pinging.SendAsync(new { type = "ping" });
            Assert.That((await pinging.ReceiveAsync(Wait))!.Value.Type(), Is.EqualTo("pong"));
            await Task.WhenAny(silentTask, Task.Delay(TimeSpan.FromSeconds(1)));
        }
        silentFrame = await silentTask;

        Assert.Multiple(() =>
        {
            Assert.That(silentFrame, Is.Null, "the silent socket was closed");
            Assert.That(silent.Socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
            Assert.That(pinging.Socket.State, Is.EqualTo(WebSocketState.Open));
        });
    }
}
