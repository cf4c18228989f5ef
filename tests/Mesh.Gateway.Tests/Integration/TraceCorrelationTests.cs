using System.Diagnostics;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>
/// The W3C trace id of one turn, followed through the JSON logs of the gateway, the conversation worker and the tool
/// executor (the trace travels on the <c>traceparent</c> header of the Kafka messages between them).
/// </summary>
public sealed class TraceCorrelationTests
{
    private static readonly string[] Services = ["gateway", "conversation-worker", "tool-executor"];

    [Test]
    public async Task The_trace_id_of_a_message_request_is_in_the_logs_of_gateway_worker_and_executor_for_that_turn()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        using var request = ToolTurns.Message(session, ToolTurns.FreshQuestion());
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var (turn, events) = await ToolTurns.RunAsync(client, session, request);
        var lines = await WaitForTraceAsync(traceId);

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Type()), Does.Contain("tool.completed").And.Contain("assistant.final"), "the turn ran a tool");
            foreach (var service in Services)
            {
                Assert.That(lines[service], Is.Not.Empty, $"{service} logged with trace id {traceId}");
                Assert.That(lines[service].Select(l => l.Str("turn_id")), Has.Member(turn.ToString("D")), $"{service} logged this turn under it");
            }
        });
    }

    [Test]
    public async Task Each_turn_sent_over_one_websocket_has_a_trace_of_its_own_followed_to_the_executor()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey);
        var turns = new List<Guid>();
        foreach (var clientMsgId in new[] { "trace-ws-1", "trace-ws-2" })
        {
            await socket.SendAsync(new { type = "chat.send", message = ToolTurns.FreshQuestion(), client_msg_id = clientMsgId });
            var frames = await socket.ReceiveUntilAsync(f => f.Type() is "assistant.final" or "error" && f.IsEvent(), TimeSpan.FromSeconds(60));
            turns.Add(Guid.Parse(frames[^1].Str("turn_id")!));
        }

        var traces = new List<string>();
        foreach (var turn in turns)
        {
            var sent = JsonSentLines(turn);
            Assert.That(sent, Is.Not.Empty, $"the gateway logged sending turn {turn}");
            traces.Add(sent[0].Str("trace_id")!);
        }
        var first = await WaitForTraceAsync(traces[0]);
        var second = await WaitForTraceAsync(traces[1]);

        Assert.Multiple(() =>
        {
            Assert.That(traces[0], Is.Not.EqualTo(traces[1]), "two turns on one socket, two traces");
            Assert.That(first["tool-executor"].Select(l => l.Str("turn_id")), Has.Member(turns[0].ToString("D")));
            Assert.That(second["tool-executor"].Select(l => l.Str("turn_id")), Has.Member(turns[1].ToString("D")));
            Assert.That(first["tool-executor"].Select(l => l.Str("turn_id")), Has.No.Member(turns[1].ToString("D")));
        });
    }

    /// <summary>The gateway's log lines about handing <paramref name="turn"/> on to the conversation worker.</summary>
    private static List<JsonElement> JsonSentLines(Guid turn) =>
        [.. ToolTurns.JsonLines(ChatStack.Gateway).Where(l => l.Str("turn_id") == turn.ToString("D") && l.Str("trace_id") is { Length: 32 })];

    /// <summary>Waits until each of the three services has logged a line with <paramref name="traceId"/>; returns those lines by service.</summary>
    private static async Task<Dictionary<string, List<JsonElement>>> WaitForTraceAsync(string traceId)
    {
        var found = new Dictionary<string, List<JsonElement>>();
        try
        {
            await Poll.UntilAsync(() =>
            {
                foreach (var service in Services)
                {
                    found[service] = [.. ToolTurns.JsonLines(Process(service)).Where(l => l.Str("trace_id") == traceId)];
                }
                return found.Values.All(l => l.Count > 0);
            }, TimeSpan.FromSeconds(15), "log lines with trace id " + traceId);
        }
        catch (TimeoutException)
        {
            // The assertions name the service that lost the trace.
        }
        return found;
    }

    private static ServiceProcess Process(string service) => service == "gateway" ? ChatStack.Gateway : ChatStack.Stack.Services[service];
}
