using System.Security.Cryptography;
using System.Text;

namespace Mesh.Gateway.Sessions;

/// <summary>Turn ids: deterministic for a client's message id, so a resend opens the same turn.</summary>
public static class TurnIds
{
    /// <summary>The namespace of turn ids, <c>6f1d1c2e-8a4b-4d7e-9a51-3f0c2b7d9e14</c>.</summary>
    public static readonly Guid Namespace = new("6f1d1c2e-8a4b-4d7e-9a51-3f0c2b7d9e14");

    /// <summary>
    /// The turn of a client message: a name-based UUIDv8 (RFC 9562, B.2), SHA-256 over the namespace (network
    /// order) and the UTF-8 name <c>"&lt;session_id&gt;/&lt;client_msg_id&gt;"</c>, first 16 bytes, version 8,
    /// variant 10. Without a client message id every message opens a new, time-ordered turn.
    /// </summary>
    public static Guid For(Guid sessionId, string? clientMsgId)
    {
        if (clientMsgId is null)
        {
            return Guid.CreateVersion7();
        }
        var name = $"{sessionId:D}/{clientMsgId}";
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The turn id of a cancel that names no turn: the nil UUID, which asks the worker to cancel whatever turn of
    /// the session is running.
    /// </summary>
    public static readonly Guid RunningTurn = Guid.Empty;
}
