using System.Diagnostics;

namespace Mesh.Gateway;

/// <summary>
/// The gateway's own spans (source <c>Mesh.Gateway</c>; the service defaults record every <c>Mesh</c> source, so log
/// lines written inside them carry their trace id).
/// </summary>
public static class GatewayDiagnostics
{
    public const string ActivitySourceName = "Mesh.Gateway";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// Starts a trace of its own for one client frame of a WebSocket, linked to the connection's span. A socket
    /// carries many turns; without this every turn sent over it would share the trace id of the upgrade request.
    /// Call it from an async method: it clears <see cref="Activity.Current"/>, and an async method gives its caller
    /// back the caller's own.
    /// </summary>
    public static Activity? StartFrame(string frameType)
    {
        var connection = Activity.Current;
        Activity.Current = null;
        return Source.StartActivity(
            "websocket " + frameType, ActivityKind.Server, default(ActivityContext),
            links: connection is null ? null : [new ActivityLink(connection.Context)]);
    }
}
