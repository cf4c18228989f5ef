using System.Text.Json;
using Mesh.Contracts.Serialization;

namespace Mesh.Gateway.Sessions;

/// <summary>Why a chat message is refused before it is sent; the codes appear in WebSocket error frames.</summary>
public enum ChatMessageProblem
{
    None,
    Empty,
    TooLarge,
    InvalidClientMsgId,
}

/// <summary>The checks a chat message passes before it becomes a conversation message (pure, shared by REST and WebSocket).</summary>
public static class ChatMessageRules
{
    public const int MaxClientMsgIdLength = 128;

    /// <summary>
    /// Checks the text and the client's message id. The size counts the UTF-8 bytes of the text as it travels
    /// in the message JSON, so an accepted text always fits the contract's byte limit.
    /// </summary>
    public static ChatMessageProblem Check(string? message, string? clientMsgId, int maxMessageBytes)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return ChatMessageProblem.Empty;
        }
        if (message.Length > maxMessageBytes || EncodedSize(message) > maxMessageBytes)
        {
            return ChatMessageProblem.TooLarge;
        }
        return clientMsgId is null || IsValidClientMsgId(clientMsgId) ? ChatMessageProblem.None : ChatMessageProblem.InvalidClientMsgId;
    }

    /// <summary>1 to 128 printable ASCII characters without spaces, as the contract requires.</summary>
    public static bool IsValidClientMsgId(string clientMsgId) =>
        clientMsgId.Length is > 0 and <= MaxClientMsgIdLength && clientMsgId.All(c => c is >= '!' and <= '~');

    /// <summary>The wire code of a problem (<c>message_too_large</c>, ...).</summary>
    public static string Code(ChatMessageProblem problem) => problem switch
    {
        ChatMessageProblem.Empty => "message_empty",
        ChatMessageProblem.TooLarge => "message_too_large",
        ChatMessageProblem.InvalidClientMsgId => "invalid_client_msg_id",
        _ => "none",
    };

    /// <summary>The problem in words.</summary>
    public static string Describe(ChatMessageProblem problem, int maxMessageBytes) => problem switch
    {
        ChatMessageProblem.Empty => "The message is empty.",
        ChatMessageProblem.TooLarge => $"The message is larger than {maxMessageBytes} bytes.",
        ChatMessageProblem.InvalidClientMsgId => $"client_msg_id must be 1-{MaxClientMsgIdLength} printable ASCII characters without spaces.",
        _ => "",
    };

    private static int EncodedSize(string message) => JsonEncodedText.Encode(message, MeshJson.Options.Encoder).EncodedUtf8Bytes.Length;
}
