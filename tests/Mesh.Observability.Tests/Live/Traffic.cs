using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Mesh.Testing;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Live;

/// <summary>
/// Real work through the public APIs, chosen so every service moves its own metrics: a tool-using chat turn over
/// a WebSocket, a turn whose tool call policy denies (watched over SSE), allowed and denied policy checks, a
/// delegated execution, a budget limit, and a poison message that ends up on a dead-letter topic.
/// </summary>
internal sealed class Traffic
{
    /// <summary>Who the denied turn runs as: an actor of the dev tenant that is not a member, so it may run no tool.</summary>
    public const string Outsider = "outsider";

    /// <summary>
    /// Series of every service that the first round creates, some of them only after asynchronous work (a dead
    /// letter); once Prometheus has them all, the first round is wholly in its baselines.
    /// </summary>
    public static readonly IReadOnlyList<string> FirstRoundSeries =
    [
        "mesh_gateway_messages_out_total{transport=\"sse\"}",
        "mesh_conversation_turns_total",
        "mesh_tool_requests_total{outcome=\"denied\"}",
        "mesh_messaging_dead_letters_total{job=\"tool-executor\"}",
        "mesh_policy_decisions_total{decision=\"denied\"}",
        "mesh_policy_budget_limit",
        "mesh_delegation_executions_total{status=\"completed\"}",
    ];

    private static readonly TimeSpan Turn = TimeSpan.FromSeconds(45);

    private readonly MeshStack stack;
    private readonly string outsiderKey;

    private Traffic(MeshStack stack, string outsiderKey)
    {
        this.stack = stack;
        this.outsiderKey = outsiderKey;
    }

    /// <summary>Issues the outsider's key and sets a daily budget limit for the dev tenant, so its budget gauges have a limit.</summary>
    public static async Task<Traffic> PrepareAsync(MeshStack stack)
    {
        var outsiderKey = await IssueOutsiderKeyAsync(stack);
        await SetBudgetLimitAsync(stack);
        return new Traffic(stack, outsiderKey);
    }

    /// <summary>One round of everything at once; <paramref name="round"/> keeps ids and arithmetic apart between rounds.</summary>
    public Task RoundAsync(int round) =>
        Task.WhenAll(
            ToolTurnOverWebSocketAsync(round),
            DeniedTurnOverSseAsync(round),
            PolicyChecksAsync(),
            DelegatedExecutionAsync(round),
            PoisonToolRequestAsync(round));

    private static async Task<string> IssueOutsiderKeyAsync(MeshStack stack)
    {
        using var gateway = stack.Client("gateway");
        var body = await ReadJsonAsync(await gateway.PostAsJsonAsync("/v1/admin/keys", new { actor = Outsider, description = "live metrics test" }));
        return body.GetProperty("key").GetString()!;
    }

    private static async Task SetBudgetLimitAsync(MeshStack stack)
    {
        using var policy = stack.Client("policy");
        await ReadJsonAsync(await policy.PutAsJsonAsync("/v1/budgets/dev/limits", new { daily_tokens = 1_000_000, daily_cost = 100 }));
    }

    private async Task ToolTurnOverWebSocketAsync(int round)
    {
        using var gateway = stack.Client("gateway");
        var session = await CreateSessionAsync(gateway);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + stack.AdminKey);
        var uri = new UriBuilder(stack.Services["gateway"].BaseAddress) { Scheme = "ws", Path = $"/v1/sessions/{session}/ws" }.Uri;
        using var deadline = new CancellationTokenSource(Turn);
        await socket.ConnectAsync(uri, deadline.Token);
        var send = JsonSerializer.Serialize(new { type = "chat.send", message = $"what is {round}+3*4?", client_msg_id = $"live-{round}" });
        await socket.SendAsync(Encoding.UTF8.GetBytes(send), WebSocketMessageType.Text, endOfMessage: true, deadline.Token);

        string type;
        do
        {
            using var frame = JsonDocument.Parse(await ReceiveTextAsync(socket, deadline.Token));
            type = frame.RootElement.GetProperty("type").GetString()!;
        }
        while (type is not ("assistant.final" or "error"));

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", deadline.Token);
        Assert.That(type, Is.EqualTo("assistant.final"), "the tool-using turn ends with an answer");
    }

    private async Task DeniedTurnOverSseAsync(int round)
    {
        using var gateway = stack.Client("gateway", outsiderKey);
        var session = await CreateSessionAsync(gateway);
        await ReadJsonAsync(await gateway.PostAsJsonAsync($"/v1/sessions/{session}/messages", new { message = "what is 6*7?", client_msg_id = $"denied-{round}" }));

        using var deadline = new CancellationTokenSource(Turn);
        using var response = await gateway.GetAsync($"/v1/sessions/{session}/stream?after=0", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        var sawDenial = false;
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }
            using var data = JsonDocument.Parse(line["data:".Length..]);
            var type = data.RootElement.GetProperty("type").GetString();
            sawDenial |= type == "tool.completed" && data.RootElement.GetProperty("tool").GetProperty("status").GetString() == "denied";
            if (type is "assistant.final" or "error")
            {
                break;
            }
        }
        Assert.That(sawDenial, Is.True, "the outsider's tool call is denied by policy");
    }

    private async Task PolicyChecksAsync()
    {
        using var policy = stack.Client("policy");
        foreach (var (actor, allowed) in new[] { ("dev-user", true), (Outsider, false) })
        {
            var check = new { tenant_id = "dev", user = "user:" + actor, relation = "can_execute", @object = "tool:math.evaluate" };
            var answer = await ReadJsonAsync(await policy.PostAsJsonAsync("/v1/check", check));
            Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.EqualTo(allowed), actor);
        }
    }

    private async Task DelegatedExecutionAsync(int round)
    {
        using var delegation = stack.Client("delegation");
        delegation.Timeout = Turn;
        var goal = new { goal = $"what is {round}+{round}?", max_depth = 1 };
        var id = (await ReadJsonAsync(await delegation.PostAsJsonAsync("/v1/executions", goal))).GetProperty("execution_id").GetString();
        var status = "";
        await Poll.UntilAsync(async () =>
        {
            var answer = await ReadJsonAsync(await delegation.GetAsync($"/v1/executions/{id}/status?wait_ms=10000"));
            status = answer.GetProperty("status").GetString()!;
            return status is "completed" or "failed" or "cancelled";
        }, Turn, $"execution {id} to end");
        Assert.That(status, Is.EqualTo("completed"), $"execution {id}");
    }

    private async Task PoisonToolRequestAsync(int round) =>
        await Kcat.RunCheckedAsync(
            ["-P", "-b", stack.Kafka.BootstrapServers, "-t", stack.Kafka.Topic("tool.requests"), "-K", "\t"],
            stdin: $"poison-{round}\tthis is not a tool request\n");

    private static async Task<Guid> CreateSessionAsync(HttpClient gateway) =>
        (await ReadJsonAsync(await gateway.PostAsJsonAsync("/v1/sessions", new { }))).GetProperty("id").GetGuid();

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("The gateway closed the socket: " + result.CloseStatusDescription);
            }
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
            }
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }
}
