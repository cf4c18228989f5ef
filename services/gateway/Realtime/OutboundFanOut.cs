using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Serialization;
using Mesh.Infra.Configuration;
using Mesh.Infra.Kafka;
using Mesh.Infra.Messaging;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// The instance's one reader of <c>conversation.outbound</c>: a consumer group of its own (<c>gateway-&lt;instance&gt;</c>),
/// so every instance reads every partition once, however many clients it serves, and routes each event to its local
/// subscribers. It starts at the end of each partition and commits nothing: what a client missed before it connected
/// (or while this instance was down) comes from the history API, never from here. So an event that cannot be read is
/// logged and skipped, not dead-lettered: the worker's own log has it, and each instance would dead-letter it again.
/// </summary>
public sealed class OutboundFanOut(ConnectionOptions connections, SessionHub hub, ILogger<OutboundFanOut> logger) : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(5);

    private volatile bool assigned;

    /// <summary>The consumer group of this instance.</summary>
    public string GroupId { get; } = "gateway-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>True once the partitions are assigned and positioned: from then on no event is missed.</summary>
    public bool IsAssigned => assigned;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Consume blocks its thread, so the loop gets a thread of its own rather than a pool thread.
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                completion.SetResult();
            }
            catch (Exception e)
            {
                Log.FanOutFailed(logger, GroupId, e);
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "gateway-fanout",
        };
        thread.Start();
        return completion.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        KafkaNative.EnsureLoaded();
        var config = KafkaClientConfig.Consumer(connections.KafkaBootstrapServers, GroupId, GroupId, KafkaClientConfig.UserFacingFetchWaitMaxMs);
        config.AutoOffsetReset = AutoOffsetReset.Latest;
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetPartitionsAssignedHandler((c, partitions) => Position(c, partitions))
            .SetPartitionsRevokedHandler((_, _) => assigned = false)
            .SetErrorHandler((_, error) => Log.FanOutKafkaError(logger, GroupId, error.Code.ToString(), error.Reason))
            .Build();
        consumer.Subscribe(MeshTopics.ConversationOutbound);
        Log.FanOutStarted(logger, GroupId);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ConsumeResult<byte[]?, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    Log.FanOutKafkaError(logger, GroupId, e.Error.Code.ToString(), e.Error.Reason);
                    continue;
                }
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    Route(result);
                }
            }
        }
        finally
        {
            assigned = false;
            consumer.Close();
        }
    }

    // Positions each partition at its current end before reporting ready, so that nothing published after
    // readiness can slip between the assignment and the first fetch.
    private List<TopicPartitionOffset> Position(IConsumer<byte[]?, byte[]> consumer, List<TopicPartition> partitions)
    {
        var positions = partitions.Select(p => new TopicPartitionOffset(p, consumer.QueryWatermarkOffsets(p, WatermarkTimeout).High)).ToList();
        assigned = true;
        return positions;
    }

    private void Route(ConsumeResult<byte[]?, byte[]> result)
    {
        GatewayMetrics.EventsRouted.Add(1);
        if (result.Message.Key is not { } key || !Guid.TryParse(Encoding.UTF8.GetString(key), out var sessionId) || !hub.HasSubscribers(sessionId))
        {
            return;
        }
        ConversationEvent conversationEvent;
        try
        {
            conversationEvent = MeshJson.Deserialize<ConversationEvent>(result.Message.Value);
        }
        catch (JsonException e)
        {
            Log.UnreadableEvent(logger, result.Partition.Value, result.Offset.Value, e.Message);
            return;
        }
        // The bytes go out unchanged unless they span lines, which an SSE data field cannot carry.
        var json = result.Message.Value.AsSpan().IndexOfAny((byte)'\n', (byte)'\r') < 0
            ? result.Message.Value
            : MeshJson.SerializeToUtf8Bytes(conversationEvent);
        hub.Route(conversationEvent.SessionId, new OutboundEvent(conversationEvent, json));
    }
}
