using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.Infra.Kafka;
using Mesh.Testing;
using Mesh.Testing.Kafka;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>
/// Reads <c>conversation.outbound</c>, <c>tool.requests</c> and <c>tool.results</c> from their start in a group of
/// its own for as long as a stack lives, so tests can wait for what the worker published.
/// </summary>
public sealed class TopicRecorder : IDisposable
{
    private readonly List<ConsumedMessage> messages = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;

    public TopicRecorder(string bootstrapServers)
    {
        KafkaNative.EnsureLoaded();
        thread = new Thread(() => Run(bootstrapServers)) { IsBackground = true, Name = "topic-recorder" };
        thread.Start();
    }

    public IReadOnlyList<ConsumedMessage> All(string topic)
    {
        lock (messages)
        {
            return [.. messages.Where(m => m.Topic == topic)];
        }
    }

    public IReadOnlyList<ConversationEvent> Events(Guid sessionId) =>
        [.. All(MeshTopics.ConversationOutbound).Where(m => m.Key == sessionId.ToString("D")).Select(m => MeshJson.Deserialize<ConversationEvent>(m.Value))];

    public IReadOnlyList<ToolRequest> Requests(Guid sessionId) =>
        [.. All(MeshTopics.ToolRequests).Where(m => m.Key == sessionId.ToString("D")).Select(m => MeshJson.Deserialize<ToolRequest>(m.Value))];

    public IReadOnlyList<ToolResult> Results(Guid sessionId) =>
        [.. All(MeshTopics.ToolResults).Where(m => m.Key == sessionId.ToString("D")).Select(m => MeshJson.Deserialize<ToolResult>(m.Value))];

    /// <summary>Waits until the session's events satisfy <paramref name="done"/>; returns them (a timeout shows them all).</summary>
    public async Task<IReadOnlyList<ConversationEvent>> WaitForEventsAsync(Guid sessionId, Func<IReadOnlyList<ConversationEvent>, bool> done, TimeSpan timeout, string what)
    {
        try
        {
            await Poll.UntilAsync(() => done(Events(sessionId)), timeout, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + " Events: " + string.Join(" | ", Events(sessionId).Select(Describe)), e);
        }

        return Events(sessionId);
    }

    public async Task<ToolRequest> WaitForRequestAsync(Guid sessionId, int count, TimeSpan timeout)
    {
        await Poll.UntilAsync(() => Requests(sessionId).Count >= count, timeout, $"{count} tool request(s) of session {sessionId}");
        return Requests(sessionId)[count - 1];
    }

    public static string Describe(ConversationEvent e) =>
        $"{e.Seq}:{EventName(e.Type)}" + ((e.Delta ?? e.Text ?? e.Error?.Code ?? e.Reason ?? e.Tool?.Name) is { } detail ? "(" + detail + ")" : "");

    public static string EventName(ConversationEventType type) => MeshJson.Serialize(type).Trim('"');

    public void Dispose()
    {
        stop.Cancel();
        thread.Join(TimeSpan.FromSeconds(10));
        stop.Dispose();
    }

    private void Run(string bootstrapServers)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"worker-tests-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchWaitMaxMs = 5,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config).Build();
        consumer.Subscribe([MeshTopics.ConversationOutbound, MeshTopics.ToolRequests, MeshTopics.ToolResults]);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { IsPartitionEOF: false } result)
                {
                    continue;
                }

                var headers = new Dictionary<string, string>();
                foreach (var header in result.Message.Headers ?? [])
                {
                    headers[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
                }

                var message = new ConsumedMessage(
                    result.Topic, result.Partition.Value, result.Offset.Value,
                    result.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null, Encoding.UTF8.GetString(result.Message.Value), headers);
                lock (messages)
                {
                    messages.Add(message);
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }
}
