using System.Globalization;
using System.Net;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Serialization;

namespace Mesh.Gateway.Sessions;

/// <summary>One page of a session's history.</summary>
/// <param name="Events">Events in seq order.</param>
/// <param name="NextAfter">The <c>after</c> of the next page, or null when this page reached the end.</param>
public sealed record EventPage(IReadOnlyList<ConversationEvent> Events, long? NextAfter);

/// <summary>The worker answered with something other than success.</summary>
public sealed class ConversationWorkerException(HttpStatusCode? status, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The worker's status, or null when it could not be reached.</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Reads session history and usage from the conversation worker, which is the single writer of a session's events,
/// with the gateway's service key. The tenant travels as a parameter; the worker filters by it as well.
/// </summary>
public sealed class ConversationWorkerClient(HttpClient http)
{
    public async Task<EventPage> GetEventsAsync(string tenantId, Guid sessionId, long after, int limit, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(EventsPath(tenantId, sessionId, after, limit), cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var events = new List<ConversationEvent>();
        foreach (var element in document.RootElement.GetProperty("events").EnumerateArray())
        {
            events.Add(element.Deserialize<ConversationEvent>(MeshJson.Options)!);
        }
        long? next = document.RootElement.TryGetProperty("next_after", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : null;
        return new EventPage(events, next);
    }

    /// <summary>The worker's answer to a history request, as JSON text, for the public API to pass on.</summary>
    public Task<string> GetEventsJsonAsync(string tenantId, Guid sessionId, long after, int limit, CancellationToken cancellationToken) =>
        GetJsonAsync(EventsPath(tenantId, sessionId, after, limit), cancellationToken);

    /// <summary>The session's summed usage records as JSON text.</summary>
    public Task<string> GetUsageJsonAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        GetJsonAsync($"/v1/sessions/{sessionId:D}/usage?tenant_id={Uri.EscapeDataString(tenantId)}", cancellationToken);

    private static string EventsPath(string tenantId, Guid sessionId, long after, int limit) => string.Create(
        CultureInfo.InvariantCulture, $"/v1/sessions/{sessionId:D}/events?tenant_id={Uri.EscapeDataString(tenantId)}&after={after}&limit={limit}");

    private async Task<string> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(path, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ConversationWorkerException(null, "The conversation worker cannot be reached: " + e.Message, e);
        }
        if (!response.IsSuccessStatusCode)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw new ConversationWorkerException(status, $"The conversation worker answered {(int)status}.");
        }
        return response;
    }
}
