using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.ToolExecutor.Domain;
using Microsoft.Extensions.Configuration;

namespace Mesh.ToolExecutor.Tools;

/// <summary>
/// <c>delegate</c>: hands a goal to the delegation service (<c>DELEGATION_URL</c>, called with <c>MESH_SERVICE_KEY</c>),
/// which breaks it into sub-tasks run as child sessions, and returns the execution's final answer to the calling turn.
/// The execution runs for the call's tenant and actor and names the calling session as its parent, so a call made from
/// a delegated sub-task starts a nested execution whose depth, budgets and tools the service narrows (and refuses past
/// the depth limit). Its time budget never outlasts this tool's timeout; when the call is cancelled or times out, the
/// execution is cancelled too.
/// </summary>
public sealed class DelegateTool : ITool, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);
    private const int WaitMs = 20_000;

    private readonly HttpClient client;

    public DelegateTool(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var baseUrl = (configuration["DELEGATION_URL"] ?? "http://localhost:8084").TrimEnd('/') + "/";
        client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration["MESH_SERVICE_KEY"] ?? "");
    }

    public ToolDescriptor Descriptor { get; } = BuiltIn.BuiltIn.Describe(
        "delegate",
        "Delegates a goal to sub-agents: it is split into sub-tasks (numbered lists, 'X and Y', 'X, then Y') that run as separate "
        + "conversations, and their combined answer is returned. Use it for goals with several independent or sequential parts.",
        $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["goal"],
          "properties": {
            "goal": { "type": "string", "minLength": 1, "maxLength": 32768 },
            "max_depth": { "type": "integer", "minimum": 0, "maximum": 5 },
            "config_profile": { "type": "string", "minLength": 1, "maxLength": 64 },
            "token_budget": { "type": "integer", "minimum": 1 },
            "time_budget_ms": { "type": "integer", "minimum": 1, "maximum": {{(long)(Timeout - Margin).TotalMilliseconds}} }
          }
        }
        """,
        timeout: Timeout,
        idempotent: false,
        maxConcurrency: 32);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var arguments = call.Arguments;
        var request = new JsonObject
        {
            ["goal"] = arguments.GetProperty("goal").GetString(),
            ["parent_session_id"] = call.SessionId.ToString("D"),
            ["on_behalf_of"] = new JsonObject { ["tenant_id"] = call.TenantId, ["actor_id"] = call.ActorId },
            ["metadata"] = new JsonObject { ["tool_request_id"] = call.RequestId.ToString("D") },
            ["time_budget_ms"] = arguments.TryGetProperty("time_budget_ms", out var time) ? time.GetInt64() : (long)(Timeout - Margin).TotalMilliseconds,
        };
        foreach (var optional in new[] { "max_depth", "config_profile", "token_budget" })
        {
            if (arguments.TryGetProperty(optional, out var value))
            {
                request[optional] = JsonNode.Parse(value.GetRawText());
            }
        }

        using var started = await client.PostAsJsonAsync("v1/executions", request, cancellationToken);
        var body = await ReadAsync(started, cancellationToken);
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            throw Refused(started.StatusCode, body);
        }

        var executionId = body.GetProperty("execution_id").GetGuid();
        try
        {
            while (true)
            {
                using var response = await client.GetAsync(
                    string.Create(CultureInfo.InvariantCulture, $"v1/executions/{executionId}/status?wait_ms={WaitMs}"), cancellationToken);
                var status = await ReadAsync(response, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw Refused(response.StatusCode, status);
                }

                switch (status.GetProperty("status").GetString())
                {
                    case "completed":
                        return ToolSchemas.Output(new
                        {
                            execution_id = executionId,
                            status = "completed",
                            job_state = status.GetProperty("job_state").GetString(),
                            result = status.GetProperty("result").GetString(),
                        });
                    case "failed":
                        throw new ToolException("delegation_failed", $"Execution {executionId} failed: {ErrorText(status)}", isFault: false);
                    case "cancelled":
                        throw new ToolException("delegation_cancelled", $"Execution {executionId} was cancelled: {ErrorText(status)}", isFault: false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The turn no longer waits for the answer: stop the sub-agents instead of letting them spend on it.
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                using var _ = await client.PostAsync($"v1/executions/{executionId}/cancel", null, stop.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Best effort: the execution's own time budget ends it anyway.
            }

            throw;
        }
    }

    public void Dispose() => client.Dispose();

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }
        catch (JsonException)
        {
            throw new ToolException("delegation_unavailable", $"The delegation service answered {(int)response.StatusCode} without JSON.");
        }
    }

    private static ToolException Refused(HttpStatusCode status, JsonElement problem)
    {
        var code = problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("code", out var c) ? c.GetString() : null;
        var detail = problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
        return (int)status >= 500
            ? new ToolException("delegation_unavailable", $"The delegation service answered {(int)status}.")
            : new ToolException(code ?? "delegation_refused", detail ?? $"The delegation service refused the request ({(int)status}).", isFault: false);
    }

    private static string ErrorText(JsonElement status) =>
        status.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
            ? $"{error.GetProperty("code").GetString()}: {error.GetProperty("message").GetString()}"
            : "no reason given";
}
