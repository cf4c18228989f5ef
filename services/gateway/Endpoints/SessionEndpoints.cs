using System.Text.Json;
using Mesh.Gateway.Options;
using Mesh.Gateway.Realtime;
using Mesh.Gateway.Sessions;
using Mesh.Infra.Auth;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// The sessions API. Every route answers 404 for a session the caller may not see (another tenant's, or another
/// actor's for a non-admin key), exactly as for one that does not exist.
/// </summary>
public static class SessionEndpoints
{
    public sealed record CreateSessionRequest(string? PersonaId, JsonElement? Metadata);

    public sealed record SendMessageRequest(string? Message, string? ClientMsgId);

    public sealed record CancelTurnRequest(Guid? TurnId);

    public sealed record SessionView(Guid Id, string TenantId, string ActorId, string? PersonaId, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt)
    {
        public static SessionView Of(Session s) => new(s.Id, s.TenantId, s.ActorId, s.PersonaId, s.Metadata, s.CreatedAt);
    }

    public sealed record SessionPage(IReadOnlyList<SessionView> Sessions, Guid? NextCursor);

    public sealed record MessageAccepted(Guid SessionId, Guid TurnId, Guid? MessageId, string? ClientMsgId, bool Duplicate);

    public sealed record CancelAccepted(Guid SessionId, Guid TurnId);

    private const int SmallBodyBytes = 16 * 1024;
    private const int MaxHistoryPage = 1000;

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var sessions = endpoints.MapGroup("/v1/sessions");
        sessions.MapPost("", CreateAsync);
        sessions.MapGet("", ListAsync);
        sessions.MapGet("/{id:guid}", GetAsync);
        sessions.MapDelete("/{id:guid}", DeleteAsync);
        sessions.MapPost("/{id:guid}/messages", SendAsync);
        sessions.MapPost("/{id:guid}/cancel", CancelAsync);
        sessions.MapGet("/{id:guid}/events", EventsAsync);
        sessions.MapGet("/{id:guid}/usage", UsageAsync);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SessionStore store)
    {
        var (body, problem) = await GatewayJson.ReadAsync(http, SmallBodyBytes, empty: new CreateSessionRequest(null, null));
        if (problem is not null)
        {
            return problem;
        }
        if (SessionRules.CheckPersona(body!.PersonaId) is { } personaProblem)
        {
            return GatewayProblems.Invalid(personaProblem);
        }
        var (labels, metadataProblem) = SessionRules.ReadMetadata(body.Metadata);
        if (metadataProblem is not null)
        {
            return GatewayProblems.Invalid(metadataProblem);
        }
        var session = await store.CreateAsync(http.User.Caller(), body.PersonaId, labels!, http.RequestAborted);
        return Results.Json(SessionView.Of(session), GatewayJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http, SessionStore store, string? limit, string? cursor)
    {
        if (!QueryValues.TryLong(limit, 1, 200, out var pageSize))
        {
            return GatewayProblems.Invalid("limit must be between 1 and 200.");
        }
        Guid? before = null;
        if (cursor is not null)
        {
            if (!Guid.TryParse(cursor, out var parsed))
            {
                return GatewayProblems.Invalid("cursor is not a cursor this API returned.");
            }
            before = parsed;
        }
        var size = (int)(pageSize ?? 50);
        var page = await store.ListAsync(http.User.Caller(), before, size, http.RequestAborted);
        return GatewayJson.Ok(new SessionPage([.. page.Select(SessionView.Of)], page.Count == size ? page[^1].Id : null));
    }

    private static async Task<IResult> GetAsync(Guid id, HttpContext http, SessionStore store) =>
        await store.FindAsync(http.User.Caller(), id, http.RequestAborted) is { } session
            ? GatewayJson.Ok(SessionView.Of(session))
            : GatewayProblems.SessionNotFound(id);

    private static async Task<IResult> DeleteAsync(Guid id, HttpContext http, SessionStore store, SessionHub hub)
    {
        if (!await store.DeleteAsync(http.User.Caller(), id, http.RequestAborted))
        {
            return GatewayProblems.SessionNotFound(id);
        }
        hub.EndSession(id, SubscriptionEnd.SessionDeleted);
        return Results.NoContent();
    }

    private static async Task<IResult> SendAsync(Guid id, HttpContext http, SessionStore store, ConversationInbox inbox, IOptions<ChatOptions> options)
    {
        var limits = options.Value;
        var (body, problem) = await GatewayJson.ReadAsync<SendMessageRequest>(http, limits.MaxFrameBytes, tooLarge: GatewayProblems.TooLarge(limits.MaxMessageBytes));
        if (problem is not null)
        {
            return problem;
        }
        var rule = ChatMessageRules.Check(body!.Message, body.ClientMsgId, limits.MaxMessageBytes);
        if (rule != ChatMessageProblem.None)
        {
            return GatewayProblems.Message(rule, limits.MaxMessageBytes);
        }
        var caller = http.User.Caller();
        if (await store.FindAsync(caller, id, http.RequestAborted) is not { } session)
        {
            return GatewayProblems.SessionNotFound(id);
        }
        GatewayMetrics.In(ClientFrame.SendType, "http");
        try
        {
            var sent = await inbox.SendAsync(session, caller, body.Message!, body.ClientMsgId, http.RequestAborted);
            return Results.Json(new MessageAccepted(id, sent.TurnId, sent.MessageId, body.ClientMsgId, sent.Duplicate), GatewayJson.Options, statusCode: StatusCodes.Status202Accepted);
        }
        catch (Exception e) when (ConversationInbox.IsUnavailable(e))
        {
            return GatewayProblems.Unavailable("messaging", "The message could not be handed on; send it again with the same client_msg_id.");
        }
        catch (InvalidMessageException e)
        {
            return GatewayProblems.Problem(StatusCodes.Status400BadRequest, "invalid-message", "The message does not fit the contract", e.Validation.ToString());
        }
    }

    private static async Task<IResult> CancelAsync(Guid id, HttpContext http, SessionStore store, ConversationInbox inbox)
    {
        var (body, problem) = await GatewayJson.ReadAsync(http, SmallBodyBytes, empty: new CancelTurnRequest(null));
        if (problem is not null)
        {
            return problem;
        }
        var caller = http.User.Caller();
        if (await store.FindAsync(caller, id, http.RequestAborted) is not { } session)
        {
            return GatewayProblems.SessionNotFound(id);
        }
        GatewayMetrics.In(ClientFrame.CancelType, "http");
        try
        {
            var turn = await inbox.CancelAsync(session, caller, body!.TurnId, http.RequestAborted);
            return Results.Json(new CancelAccepted(id, turn), GatewayJson.Options, statusCode: StatusCodes.Status202Accepted);
        }
        catch (Exception e) when (ConversationInbox.IsUnavailable(e))
        {
            return GatewayProblems.Unavailable("messaging", "The cancel could not be handed on; send it again.");
        }
    }

    private static async Task<IResult> EventsAsync(Guid id, HttpContext http, SessionStore store, ConversationWorkerClient worker, string? after, string? limit)
    {
        if (!QueryValues.TryLong(after, 0, long.MaxValue, out var from) || !QueryValues.TryLong(limit, 1, MaxHistoryPage, out var size))
        {
            return GatewayProblems.Invalid($"after must be a seq (0 or more) and limit between 1 and {MaxHistoryPage}.");
        }
        return await ProxyAsync(id, http, store, (session, ct) => worker.GetEventsJsonAsync(session.TenantId, session.Id, from ?? 0, (int)(size ?? 100), ct));
    }

    private static Task<IResult> UsageAsync(Guid id, HttpContext http, SessionStore store, ConversationWorkerClient worker) =>
        ProxyAsync(id, http, store, (session, ct) => worker.GetUsageJsonAsync(session.TenantId, session.Id, ct));

    private static async Task<IResult> ProxyAsync(Guid id, HttpContext http, SessionStore store, Func<Session, CancellationToken, Task<string>> fetch)
    {
        if (await store.FindAsync(http.User.Caller(), id, http.RequestAborted) is not { } session)
        {
            return GatewayProblems.SessionNotFound(id);
        }
        try
        {
            return Results.Content(await fetch(session, http.RequestAborted), "application/json");
        }
        catch (ConversationWorkerException e)
        {
            return GatewayProblems.FromWorker(e, id);
        }
    }
}
