using System.Buffers;
using System.Text.Json;
using Mesh.Contracts.Serialization;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// The frames the gateway itself sends besides conversation events (which carry a <c>seq</c>; these never do):
/// <c>pong</c>, <c>ack</c> (a chat.send or chat.cancel was handed to the worker) and <c>error</c> (a frame was refused;
/// same <c>error</c> object as the error event).
/// </summary>
public static class ServerFrames
{
    public static byte[] Pong(string? id) => Write(w =>
    {
        w.WriteString("type", "pong");
        if (id is not null)
        {
            w.WriteString("id", id);
        }
    });

    public static byte[] Error(string code, string message, string? clientMsgId = null) => Write(w =>
    {
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        if (clientMsgId is not null)
        {
            w.WriteString("client_msg_id", clientMsgId);
        }
    });

    public static byte[] Ack(string of, Guid turnId, string? clientMsgId, Guid? messageId, bool duplicate) => Write(w =>
    {
        w.WriteString("type", "ack");
        w.WriteString("of", of);
        w.WriteString("turn_id", turnId.ToString("D"));
        if (clientMsgId is not null)
        {
            w.WriteString("client_msg_id", clientMsgId);
        }
        if (messageId is { } id)
        {
            w.WriteString("message_id", id.ToString("D"));
        }
        w.WriteBoolean("duplicate", duplicate);
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = MeshJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
