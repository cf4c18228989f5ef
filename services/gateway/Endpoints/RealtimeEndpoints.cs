using Mesh.Gateway.Realtime;
using Mesh.Gateway.Sessions;
using Mesh.Infra.Auth;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// <c>GET /v1/sessions/{id}/ws?after=&lt;seq&gt;</c> (WebSocket) and <c>GET /v1/sessions/{id}/stream</c> (SSE, resuming
/// with <c>Last-Event-ID</c> or <c>?after=</c>). The session is checked before the upgrade: another tenant's is a 404.
/// </summary>
public static class RealtimeEndpoints
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/sessions/{id:guid}/ws", WebSocketAsync);
        endpoints.MapGet("/v1/sessions/{id:guid}/stream", EventSourceAsync);
        return endpoints;
    }

    private static async Task<IResult> WebSocketAsync(Guid id, HttpContext http, SessionStore store, ChatWebSocket socket, string? after)
    {
        if (!QueryValues.TryLong(after, 0, long.MaxValue, out var from))
        {
            return GatewayProblems.Invalid("after must be a seq (0 or more).");
        }
        var caller = http.User.Caller();
        if (await store.FindAsync(caller, id, http.RequestAborted) is not { } session)
        {
            return GatewayProblems.SessionNotFound(id);
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return GatewayProblems.WebSocketRequired();
        }
        await socket.RunAsync(http, session, caller, from);
        return Results.Empty;
    }

    private static async Task<IResult> EventSourceAsync(Guid id, HttpContext http, SessionStore store, ChatEventSource events, string? after)
    {
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (!QueryValues.TryLong(lastEventId.Length > 0 ? lastEventId : after, 0, long.MaxValue, out var from))
        {
            return GatewayProblems.Invalid("Last-Event-ID and after must be a seq (0 or more).");
        }
        if (await store.FindAsync(http.User.Caller(), id, http.RequestAborted) is not { } session)
        {
            return GatewayProblems.SessionNotFound(id);
        }
        await events.RunAsync(http, session, from);
        return Results.Empty;
    }
}
