using Mesh.Gateway.Sessions;

namespace Mesh.Gateway.Endpoints;

/// <summary>The gateway's RFC 9457 problem details; each <c>type</c> is stable: <c>urn:mesh:problem:&lt;kind&gt;</c>.</summary>
public static class GatewayProblems
{
    public const string Prefix = "urn:mesh:problem:";

    public static IResult Problem(int status, string kind, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: Prefix + kind, extensions: extensions);

    public static IResult Invalid(string detail) =>
        Problem(StatusCodes.Status400BadRequest, "invalid-request", "The request is invalid", detail);

    public static IResult SessionNotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "session-not-found", "No such session", $"Session {id:D} does not exist or belongs to someone else.");

    public static IResult KeyNotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "key-not-found", "No such key", $"Key {id:D} does not exist in this tenant.");

    public static IResult RateLimited() =>
        Problem(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests", "This API key has used up its request rate; retry after the Retry-After delay.");

    public static IResult TooLarge(int maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "message-too-large", "The message is too large", $"A message may be at most {maxBytes} bytes (UTF-8, as sent in JSON).");

    public static IResult Unavailable(string what, string detail) =>
        Problem(StatusCodes.Status503ServiceUnavailable, what + "-unavailable", "A dependency is unavailable", detail);

    public static IResult WebSocketRequired() =>
        Problem(StatusCodes.Status400BadRequest, "websocket-required", "A WebSocket upgrade is required", "Connect with a WebSocket client (ws:// or wss://).");

    /// <summary>A refused chat message: 413 when too large, else 400 with the rule's code.</summary>
    public static IResult Message(ChatMessageProblem problem, int maxBytes) => problem == ChatMessageProblem.TooLarge
        ? TooLarge(maxBytes)
        : Problem(StatusCodes.Status400BadRequest, ChatMessageRules.Code(problem).Replace('_', '-'), "The message is invalid", ChatMessageRules.Describe(problem, maxBytes));

    /// <summary>The history side answered badly: 404 passes on (the worker knows no such session yet), the rest is 503.</summary>
    public static IResult FromWorker(ConversationWorkerException exception, Guid sessionId) =>
        exception.Status == System.Net.HttpStatusCode.NotFound
            ? SessionNotFound(sessionId)
            : Unavailable("history", exception.Message);
}
