using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Mesh.Delegation.External;

/// <summary>A request to the external executor failed in a way that ends the execution (<see cref="Code"/>).</summary>
public sealed class RomaException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>The external execution's status, mapped to the mesh's statuses, with its progress figures when given.</summary>
public sealed record RomaStatus(Contracts.Delegation.DelegationStatus Status, string RemoteStatus, int? CompletedTasks, int? TotalTasks);

/// <summary>
/// Speaks a ROMA-compatible executions API: <c>POST /api/v1/executions</c>, <c>GET /api/v1/executions/{id}/status</c>,
/// <c>GET /api/v1/executions/{id}</c>, <c>POST /api/v1/executions/{id}/cancel</c>. Fails closed: 401 or 403 is
/// <c>external_auth_failed</c>, a request slower than the request timeout is <c>external_timeout</c>, an answer that does
/// not follow the API is <c>external_protocol_error</c>; connection failures and 5xx answers are retried with backoff,
/// then <c>external_unavailable</c>.
/// </summary>
public sealed class RomaClient(HttpClient http, IOptions<RomaOptions> options)
{
    private readonly RomaOptions settings = options.Value;
    private readonly ResiliencePipeline retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<TransientRomaException>(),
            MaxRetryAttempts = Math.Max(0, options.Value.MaxAttempts - 1),
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    /// <summary>Starts the execution remotely and returns the external id.</summary>
    public async Task<string> SubmitAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Post, "api/v1/executions", request, cancellationToken);
        return Text(body, "execution_id") ?? Text(body, "id")
            ?? throw new RomaException(ErrorCodes.ExternalProtocolError, "The external executor's answer has no execution_id.");
    }

    public async Task<RomaStatus> StatusAsync(string externalId, CancellationToken cancellationToken)
    {
        var body = await SendAsync(HttpMethod.Get, $"api/v1/executions/{Uri.EscapeDataString(externalId)}/status", null, cancellationToken);
        var remote = Text(body, "status") ?? throw new RomaException(ErrorCodes.ExternalProtocolError, "The external status has no status.");
        var status = MapStatus(remote)
            ?? throw new RomaException(ErrorCodes.ExternalProtocolError, $"The external executor reported the unknown status '{remote}'.");
        return new RomaStatus(status, remote, Number(body, "completed_tasks"), Number(body, "total_tasks"));
    }

    public Task<JsonObject> DetailAsync(string externalId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"api/v1/executions/{Uri.EscapeDataString(externalId)}", null, cancellationToken);

    public Task CancelAsync(string externalId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/executions/{Uri.EscapeDataString(externalId)}/cancel", new JsonObject(), cancellationToken);

    /// <summary>The mesh status of a ROMA status name: pending/queued, running/in_progress, completed, failed, cancelled.</summary>
    public static Contracts.Delegation.DelegationStatus? MapStatus(string remote) => remote.ToLowerInvariant() switch
    {
        "pending" or "queued" or "created" => Contracts.Delegation.DelegationStatus.Pending,
        "running" or "in_progress" or "executing" => Contracts.Delegation.DelegationStatus.Running,
        "completed" or "succeeded" or "success" => Contracts.Delegation.DelegationStatus.Completed,
        "failed" or "error" => Contracts.Delegation.DelegationStatus.Failed,
        "cancelled" or "canceled" or "interrupted" => Contracts.Delegation.DelegationStatus.Cancelled,
        _ => null,
    };

    /// <summary>
    /// The final result in an execution's detail: <c>result</c>, <c>final_result</c> or <c>output</c> (text as is, other
    /// JSON as its text), else the result of the DAG's root task (in <c>tasks</c> or <c>dag.tasks</c>, the one without a
    /// parent); null when there is none.
    /// </summary>
    public static string? ResultOf(JsonObject detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        foreach (var name in new[] { "result", "final_result", "output" })
        {
            if (AsText(detail[name]) is { } result)
            {
                return result;
            }
        }

        var tasks = detail["tasks"] as JsonArray ?? (detail["dag"] as JsonObject)?["tasks"] as JsonArray;
        var root = tasks?.OfType<JsonObject>().FirstOrDefault(t => t["parent_id"] is null);
        return root is null ? null : AsText(root["result"]);
    }

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonObject? content, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.ExecuteAsync(async ct => await SendOnceAsync(method, path, content, ct), cancellationToken);
        }
        catch (TransientRomaException e)
        {
            throw new RomaException(ErrorCodes.ExternalUnavailable, e.Message, e);
        }
    }

    private async Task<JsonObject> SendOnceAsync(HttpMethod method, string path, JsonObject? content, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.RequestTimeout);
        using var request = new HttpRequestMessage(method, path);
        if (!string.IsNullOrEmpty(settings.Key))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Key);
        }

        if (content is not null)
        {
            request.Content = JsonContent.Create(content);
        }

        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new RomaException(ErrorCodes.ExternalAuthFailed, $"The external executor refused the credentials ({(int)response.StatusCode}).");
            }

            if ((int)response.StatusCode >= 500)
            {
                throw new TransientRomaException($"The external executor answered {(int)response.StatusCode}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RomaException(ErrorCodes.ExternalProtocolError, $"The external executor answered {(int)response.StatusCode} to {method} {path}.");
            }

            var body = await response.Content.ReadFromJsonAsync<JsonNode>(timeout.Token);
            return body as JsonObject ?? throw new RomaException(ErrorCodes.ExternalProtocolError, "The external executor's answer is not a JSON object.");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RomaException(ErrorCodes.ExternalTimeout, $"The external executor did not answer within {settings.RequestTimeout.TotalSeconds:0.###} s.", e);
        }
        catch (HttpRequestException e)
        {
            throw new TransientRomaException($"The external executor cannot be reached: {e.HttpRequestError}.", e);
        }
        catch (JsonException e)
        {
            throw new RomaException(ErrorCodes.ExternalProtocolError, "The external executor's answer is not valid JSON.", e);
        }
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static int? Number(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var n) ? n : null;

    private static string? AsText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Null => null,
        _ => node.ToJsonString(),
    };

    private sealed class TransientRomaException(string message, Exception? inner = null) : Exception(message, inner);
}
