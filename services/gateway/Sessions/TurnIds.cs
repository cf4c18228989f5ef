using Mesh.Contracts.Common;
using Mesh.Contracts.Tools;

namespace Mesh.Gateway.Sessions;

/// <summary>Turn ids: deterministic for a client's message id, so a resend opens the same turn.</summary>
public static class TurnIds
{
    /// <summary>The namespace of turn ids, <c>6f1d1c2e-8a4b-4d7e-9a51-3f0c2b7d9e14</c>.</summary>
    public static readonly Guid Namespace = new("6f1d1c2e-8a4b-4d7e-9a51-3f0c2b7d9e14");

    /// <summary>
    /// The turn of a client message: a name-based UUIDv8 (<see cref="RequestIds.NameBased"/>) of the UTF-8 name <c>"&lt;session_id&gt;/&lt;client_msg_id&gt;"</c>. Without a client message id every message opens a new, time-ordered turn.
    /// </summary>
    public static Guid For(Guid sessionId, string? clientMsgId)
    {
        if (clientMsgId is null)
        {
            return TimeOrderedIds.NewId();
        }
        return RequestIds.NameBased(Namespace, $"{sessionId:D}/{clientMsgId}");
    }

    /// <summary>
    /// The turn id of a cancel that names no turn: the nil UUID, which asks the worker to cancel whatever turn of
    /// the session is running.
    /// </summary>
    public static readonly Guid RunningTurn = Guid.Empty;
}
