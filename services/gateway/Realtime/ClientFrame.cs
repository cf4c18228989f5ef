using System.Text.Json;
using Mesh.Gateway.Sessions;

namespace Mesh.Gateway.Realtime;

/// <summary>A frame a chat client sent over the WebSocket, read by <see cref="ClientFrame.Parse"/>.</summary>
public abstract record ClientFrame
{
    public const string SendType = "chat.send";
    public const string CancelType = "chat.cancel";
    public const string PingType = "ping";

    /// <summary>
    /// Reads a text frame: <c>{"type":"chat.send","message":"…","client_msg_id":"…"}</c>,
    /// <c>{"type":"chat.cancel","turn_id":"…"}</c> (turn optional) or <c>{"type":"ping"}</c>. Anything else is an
    /// <see cref="InvalidFrame"/> whose code the client gets back in an error frame.
    /// </summary>
    public static ClientFrame Parse(ReadOnlyMemory<byte> utf8, int maxMessageBytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            return new InvalidFrame("invalid_json", "The frame is not JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new InvalidFrame("invalid_frame", "A frame is a JSON object with a \"type\".");
            }
            if (!TryString(root, "type", out var type) || type is null)
            {
                return new InvalidFrame("missing_type", "The frame has no \"type\" string.");
            }
            return type switch
            {
                SendType => ParseSend(root, maxMessageBytes),
                CancelType => ParseCancel(root),
                PingType => new PingFrame(TryString(root, "id", out var id) ? id : null),
                _ => new InvalidFrame("unknown_type", $"Frames are {SendType}, {CancelType} and {PingType}."),
            };
        }
    }

    private static ClientFrame ParseSend(JsonElement root, int maxMessageBytes)
    {
        if (!TryString(root, "client_msg_id", out var clientMsgId))
        {
            return new InvalidFrame("invalid_client_msg_id", "client_msg_id must be a string.");
        }
        if (!TryString(root, "message", out var message) || message is null)
        {
            return new InvalidFrame("missing_message", "chat.send needs a \"message\" string.", clientMsgId);
        }
        var problem = ChatMessageRules.Check(message, clientMsgId, maxMessageBytes);
        return problem == ChatMessageProblem.None
            ? new SendFrame(message, clientMsgId)
            : new InvalidFrame(ChatMessageRules.Code(problem), ChatMessageRules.Describe(problem, maxMessageBytes), clientMsgId is { Length: <= ChatMessageRules.MaxClientMsgIdLength } ? clientMsgId : null);
    }

    private static ClientFrame ParseCancel(JsonElement root)
    {
        if (!TryString(root, "turn_id", out var turn))
        {
            return new InvalidFrame("invalid_turn_id", "turn_id must be a UUID string.");
        }
        if (turn is null)
        {
            return new CancelFrame(null);
        }
        return Guid.TryParseExact(turn, "D", out var turnId) ? new CancelFrame(turnId) : new InvalidFrame("invalid_turn_id", "turn_id must be a UUID string.");
    }

    // False when the property exists but is not a string; true with null when it is absent or null.
    private static bool TryString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (property.ValueKind != JsonValueKind.String)
        {
            return false;
        }
        value = property.GetString();
        return true;
    }
}

/// <summary><c>chat.send</c>: a message for the session.</summary>
public sealed record SendFrame(string Message, string? ClientMsgId) : ClientFrame;

/// <summary><c>chat.cancel</c>: cancel a turn, or the running one when no turn is named.</summary>
public sealed record CancelFrame(Guid? TurnId) : ClientFrame;

/// <summary><c>ping</c>: answered with <c>pong</c> (echoing <c>id</c>); also keeps an idle connection open.</summary>
public sealed record PingFrame(string? Id) : ClientFrame;

/// <summary>A frame that cannot be acted on, answered with an error frame; the connection stays open.</summary>
public sealed record InvalidFrame(string Code, string Message, string? ClientMsgId = null) : ClientFrame;
