using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Execution;

/// <summary>What the policy gate decided.</summary>
/// <param name="Allowed">Whether the tool may run.</param>
/// <param name="DecisionId">The policy decision, or null when policy could not be asked.</param>
/// <param name="Reason">The policy's reason (<c>allowed</c>, <c>no_relation</c>, <c>kill_switch</c>, ...) or <c>policy_unavailable</c>.</param>
/// <param name="Detail">A sentence for the result's error message.</param>
public sealed record GateDecision(bool Allowed, Guid? DecisionId, string Reason, string Detail);

/// <summary>
/// Asks the policy service, before every run, whether <c>user:&lt;actor&gt;</c> of the request's tenant
/// <c>can_execute</c> <c>tool:&lt;name&gt;</c> (POST <c>/v1/check</c> with the service key). Fails closed: an error,
/// a non-success answer or no answer within <see cref="PolicyGateOptions.Timeout"/> denies with
/// <c>policy_unavailable</c>. Allow decisions are reused for a few seconds per tenant, actor and tool; deny
/// decisions for <see cref="PolicyGateOptions.DeniedTtl"/> (by default not at all). The identity is taken from the
/// request, which the conversation worker fills from the authenticated session: <c>tool.requests</c> is an
/// internal topic that only mesh services may write.
/// </summary>
public sealed class PolicyGate(IHttpClientFactory http, IOptions<PolicyGateOptions> options, ToolMetrics metrics, TimeProvider time, ILogger<PolicyGate> logger)
{
    public const string HttpClientName = "policy-gate";

    private const int MaxCachedDecisions = 50_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly ConcurrentDictionary<(string Tenant, string Actor, string Tool), (GateDecision Decision, DateTimeOffset Until)> cache = new();
    private readonly ConcurrentDictionary<(string Tenant, string Actor, string Tool), Lazy<Task<GateDecision>>> asking = new();

    public async Task<GateDecision> CheckAsync(string tenantId, string actorId, string tool, Guid requestId, Guid sessionId, CancellationToken cancellationToken)
    {
        var key = (tenantId, actorId, tool);
        if (cache.TryGetValue(key, out var cached) && cached.Until > time.GetUtcNow())
        {
            Count(cached.Decision);
            return cached.Decision;
        }

        // Requests that miss the cache together share one question (when an allow expires under load, hundreds do).
        // It runs on its own, bounded by the gate's timeout, so one caller's cancellation never fails the others.
        var ask = asking.GetOrAdd(key, k => new Lazy<Task<GateDecision>>(() => AskOnceAsync(k, requestId, sessionId)));
        var decision = await ask.Value.WaitAsync(cancellationToken);
        Count(decision);
        return decision;
    }

    private async Task<GateDecision> AskOnceAsync((string Tenant, string Actor, string Tool) key, Guid requestId, Guid sessionId)
    {
        try
        {
            var decision = await AskAsync(key.Tenant, key.Actor, key.Tool, requestId, sessionId, CancellationToken.None);
            Remember(key, decision);
            return decision;
        }
        finally
        {
            asking.TryRemove(key, out _);
        }
    }

    private void Remember((string Tenant, string Actor, string Tool) key, GateDecision decision)
    {
        var now = time.GetUtcNow();
        var ttl = decision.DecisionId is null ? TimeSpan.Zero : decision.Allowed ? options.Value.AllowedTtl : options.Value.DeniedTtl;
        if (ttl > TimeSpan.Zero)
        {
            if (cache.Count >= MaxCachedDecisions)
            {
                foreach (var expired in cache.Where(e => e.Value.Until <= now))
                {
                    cache.TryRemove(expired.Key, out _);
                }
            }
            cache[key] = (decision, now + ttl);
        }
        else
        {
            cache.TryRemove(key, out _);
        }
    }

    private async Task<GateDecision> AskAsync(string tenantId, string actorId, string tool, Guid requestId, Guid sessionId, CancellationToken cancellationToken)
    {
        var body = new CheckRequest(tenantId, "user:" + actorId, "can_execute", "tool:" + tool, requestId, sessionId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await http.CreateClient(HttpClientName).PostAsJsonAsync("/v1/check", body, Json, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Failed($"policy answered {(int)response.StatusCode}");
            }
            var answer = await response.Content.ReadFromJsonAsync<CheckResponse>(Json, deadline.Token);
            if (answer is not { DecisionId: { } id, Reason: { } reason })
            {
                return Failed("policy's answer lacks a decision id or reason");
            }
            // The reason becomes the result's error code, whose contract is a lowercase identifier.
            reason = ToolOutcome.IsValidCode(reason) ? reason : "policy_denied";
            return new GateDecision(answer.Allowed, id, reason,
                answer.Allowed ? "allowed" : $"policy denied can_execute on tool:{tool} for user:{actorId}: {reason}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed($"policy did not answer within {options.Value.Timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException)
        {
            return Failed($"policy could not be asked: {e.Message}");
        }
    }

    private GateDecision Failed(string detail)
    {
        Log.PolicyUnavailable(logger, detail);
        return new GateDecision(false, null, ErrorCodes.PolicyUnavailable, detail + "; the tool was not run (fail closed)");
    }

    private void Count(GateDecision decision) =>
        metrics.Policy(decision.Allowed ? "allowed" : decision.DecisionId is null ? "unavailable" : "denied");

    private sealed record CheckRequest(
        string TenantId, string User, string Relation, string Object, Guid RequestId, Guid SessionId);

    private sealed record CheckResponse(
        bool Allowed,
        Guid? DecisionId,
        string? Reason);
}
