using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Infra.Messaging;
using Mesh.Testing;

namespace Mesh.Bench.Chat;

/// <summary>A group of open benchmark sockets, each on its own session.</summary>
internal sealed class SocketGroup(IReadOnlyList<(Guid Session, BenchSocket Socket)> sockets) : IAsyncDisposable
{
    public IReadOnlyList<(Guid Session, BenchSocket Socket)> Sockets => sockets;

    public int Count => sockets.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, socket) in sockets)
        {
            await socket.DisposeAsync();
        }
    }
}

/// <summary>The benchmark's scenarios against one gateway of a running stack.</summary>
internal sealed class ChatBench(MeshStack stack, ServiceProcess gateway)
{
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(60);

    // Enough for the runtime's tiered compilation to reach its optimized code for every path a turn takes
    // (a method is recompiled after 30 calls, and again with profile data after 30 more).
    private const int WarmUpTurns = 150;

    private readonly HttpClient http = stack.Client("gateway");
    private readonly ConcurrentDictionary<Guid, Action<JsonElement, long>> liveHandlers = new();

    /// <summary>Turns one after another on one socket: time to first delta and to the final answer.</summary>
    public async Task<IReadOnlyList<Latencies>> SequentialTurnsAsync(int turns)
    {
        var results = new List<Latencies>();
        var kinds = new[] { ("plain reply", "hello"), ("tool call (math.evaluate)", "what is 2+3*4?") };
        results.Add(await WarmUpAsync([.. kinds.Select(k => k.Item2)]));
        foreach (var (label, message) in kinds)
        {
            var acked = new Latencies($"time to the gateway's ack, {label}");
            var accepted = new Latencies($"time to message.accepted, {label}");
            var firstDelta = new Latencies($"time to first delta, {label}");
            var full = new Latencies($"full turn, {label}");
            var session = await CreateSessionAsync();
            var turn = new TurnProbe();
            await using var socket = await BenchSocket.ConnectAsync(gateway.BaseAddress, session, stack.AdminKey, turn.OnFrame);
            for (var i = 0; i < turns; i++)
            {
                var (ttfd, done) = await turn.RunAsync(socket, message, $"seq-{i}");
                acked.Add(turn.AckedAfter);
                accepted.Add(turn.AcceptedAfter);
                firstDelta.Add(ttfd);
                full.Add(done);
            }
            results.Add(acked);
            results.Add(accepted);
            results.Add(firstDelta);
            results.Add(full);
        }
        return results;
    }

    /// <summary>
    /// Runs every kind of turn <see cref="WarmUpTurns"/> times on a session of its own before anything is measured,
    /// so that what is measured is the services' steady state and not the JIT compiling their code on first use.
    /// </summary>
    /// <returns>The time to first delta of the first 20 turns after the stack started, for comparison.</returns>
    private async Task<Latencies> WarmUpAsync(string[] messages)
    {
        var cold = new Latencies("time to first delta, first 20 turns after start (both kinds)");
        var session = await CreateSessionAsync();
        var turn = new TurnProbe();
        await using var socket = await BenchSocket.ConnectAsync(gateway.BaseAddress, session, stack.AdminKey, turn.OnFrame);
        for (var i = 0; i < WarmUpTurns; i++)
        {
            var (ttfd, _) = await turn.RunAsync(socket, messages[i % messages.Length], $"warm-{i}");
            if (i < 20)
            {
                cold.Add(ttfd);
            }
        }
        return cold;
    }

    public Task<SocketGroup> OpenIdleAsync(int count) => OpenAsync(count, live: false);

    public Task<SocketGroup> OpenActiveAsync(int count) => OpenAsync(count, live: true);

    /// <summary>
    /// Publishes <paramref name="rounds"/> events per active session on <c>conversation.outbound</c>, as the worker
    /// would, at <paramref name="rate"/> events per second in total, and measures publication → arrival.
    /// </summary>
    public async Task<Latencies> DeliveryAsync(SocketGroup active, int rounds, int rate)
    {
        var delivery = new Latencies($"delivery, {active.Count} sessions × {rounds} events");
        var expected = active.Count * rounds;
        var received = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = new ConcurrentDictionary<Guid, long>();
        foreach (var (session, _) in active.Sockets)
        {
            liveHandlers[session] = (frame, arrived) =>
            {
                if (frame.TryGetProperty("event_id", out var id) && published.TryGetValue(id.GetGuid(), out var sent))
                {
                    delivery.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                    if (Interlocked.Increment(ref received) == expected)
                    {
                        allArrived.TrySetResult();
                    }
                }
            };
        }

        using var publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = stack.Kafka.BootstrapServers, ClientId = "bench-chat" });
        var turn = Guid.NewGuid();
        // The producer's first message waits for its connection and metadata: not part of what is measured.
        var warmUp = new ConversationEvent(Guid.NewGuid(), Guid.NewGuid(), "dev", turn, 1, ConversationEventType.AssistantDelta, DateTimeOffset.UtcNow, Delta: "x");
        await publisher.PublishAsync(MeshTopics.ConversationOutbound, warmUp.SessionId.ToString("D"), warmUp, new PublishContext("dev", turn.ToString("D")));
        var batch = Math.Max(1, rate / 100);
        var tick = TimeSpan.FromMilliseconds(10);
        var started = Stopwatch.GetTimestamp();
        var sentCount = 0;
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var chunk in active.Sockets.Chunk(batch))
            {
                var due = started + (long)(sentCount / (double)rate * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < due)
                {
                    await Task.Delay(tick);
                }
                await Task.WhenAll(chunk.Select(s =>
                {
                    var e = new ConversationEvent(Guid.NewGuid(), s.Session, "dev", turn, round, ConversationEventType.AssistantDelta, DateTimeOffset.UtcNow, Delta: "x");
                    published[e.EventId] = Stopwatch.GetTimestamp();
                    return publisher.PublishAsync(MeshTopics.ConversationOutbound, s.Session.ToString("D"), e, new PublishContext("dev", turn.ToString("D")));
                }));
                sentCount += chunk.Length;
            }
        }
        await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (received < expected)
        {
            Console.WriteLine($"warning: {expected - received} of {expected} events did not arrive within two minutes");
        }
        return delivery;
    }

    /// <summary>Every active session sends one real message at the same moment.</summary>
    public async Task<IReadOnlyList<Latencies>> BurstTurnsAsync(SocketGroup active)
    {
        var firstDelta = new Latencies($"time to first delta, {active.Count} at once");
        var full = new Latencies($"full turn, {active.Count} at once");
        var probes = active.Sockets.Select(s =>
        {
            var probe = new TurnProbe();
            liveHandlers[s.Session] = probe.OnFrame;
            return (s.Socket, Probe: probe);
        }).ToList();
        var results = await Task.WhenAll(probes.Select(p => p.Probe.RunAsync(p.Socket, "what is 2+3*4?", "burst", TimeSpan.FromMinutes(5))));
        foreach (var (ttfd, done) in results.Where(r => !double.IsNaN(r.Done)))
        {
            firstDelta.Add(ttfd);
            full.Add(done);
        }
        if (full.Count < active.Count)
        {
            Console.WriteLine($"warning: {active.Count - full.Count} of {active.Count} turns did not finish within five minutes");
        }
        return [firstDelta, full];
    }

    private async Task<SocketGroup> OpenAsync(int count, bool live)
    {
        var opened = new ConcurrentBag<(Guid, BenchSocket)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, _) =>
        {
            var session = await CreateSessionAsync();
            Action<JsonElement, long> onFrame = live
                ? (frame, arrived) => { if (liveHandlers.TryGetValue(session, out var handler)) { handler(frame, arrived); } }
                : static (_, _) => { };
            opened.Add((session, await BenchSocket.ConnectAsync(gateway.BaseAddress, session, stack.AdminKey, onFrame)));
        });
        return new SocketGroup([.. opened]);
    }

    private async Task<Guid> CreateSessionAsync()
    {
        using var response = await http.PostAsJsonAsync("/v1/sessions", new { metadata = new { client = "bench" } });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Times one turn on a socket: from sending to the first assistant.delta and to assistant.final.</summary>
    private sealed class TurnProbe
    {
        private long sent;
        private long accepted;
        private long acked;
        private long firstDelta;
        private TaskCompletionSource<(double, double)>? done;
        private string? turnClientMsgId;
        private Guid? turnId;

        public void OnFrame(JsonElement frame, long arrived)
        {
            var type = frame.GetProperty("type").GetString();
            if (type == "ack" && frame.TryGetProperty("client_msg_id", out var ackedId) && ackedId.GetString() == turnClientMsgId)
            {
                acked = arrived;
                return;
            }
            if (type == "message.accepted" && frame.TryGetProperty("client_msg_id", out var id) && id.GetString() == turnClientMsgId)
            {
                turnId = frame.GetProperty("turn_id").GetGuid();
                accepted = arrived;
                return;
            }
            if (turnId is null || !frame.TryGetProperty("turn_id", out var turn) || turn.GetGuid() != turnId)
            {
                return;
            }
            if (type == "assistant.delta" && Interlocked.CompareExchange(ref firstDelta, arrived, 0) == 0)
            {
                return;
            }
            if (type is "assistant.final" or "error")
            {
                var first = Interlocked.Read(ref firstDelta);
                done?.TrySetResult((Stopwatch.GetElapsedTime(sent, first == 0 ? arrived : first).TotalMilliseconds, Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds));
            }
        }

        /// <summary>Milliseconds from sending to the worker's message.accepted, for the last turn.</summary>
        /// <summary>Milliseconds from sending to the gateway's ack (the message is on conversation.inbound), for the last turn.</summary>
        public double AckedAfter => Stopwatch.GetElapsedTime(sent, acked).TotalMilliseconds;

        public double AcceptedAfter => Stopwatch.GetElapsedTime(sent, accepted).TotalMilliseconds;

        public async Task<(double FirstDelta, double Done)> RunAsync(BenchSocket socket, string message, string clientMsgIdPrefix, TimeSpan? timeout = null)
        {
            turnClientMsgId = clientMsgIdPrefix + "-" + Guid.NewGuid().ToString("N");
            turnId = null;
            Interlocked.Exchange(ref firstDelta, 0);
            done = new TaskCompletionSource<(double, double)>(TaskCreationOptions.RunContinuationsAsynchronously);
            sent = Stopwatch.GetTimestamp();
            await socket.SendAsync(new { type = "chat.send", message, client_msg_id = turnClientMsgId });
            try
            {
                return await done.Task.WaitAsync(timeout ?? TurnTimeout);
            }
            catch (TimeoutException)
            {
                return (double.NaN, double.NaN);
            }
        }
    }
}
