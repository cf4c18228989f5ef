using System.Text.Json;
using Confluent.Kafka;
using Mesh.Infra.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Infra.Messaging;

/// <summary>
/// Runs one consumer group's handlers (see <see cref="MeshConsumerOptions"/>): one consume loop on its own
/// thread hands each message to a worker per partition, so a partition's messages are handled in order (or, for a
/// topic registered with more than one message in flight per partition, started in order) while partitions proceed
/// concurrently. Delivery is at-least-once: an offset is stored only once its message and every message before it
/// were handled or dead-lettered, and stored offsets are committed in the background. Stopping finishes the messages
/// in progress (cancelling them only when the host's shutdown grace period runs out), stores their offsets
/// and closes the consumer, which commits and leaves the group.
/// </summary>
public sealed class MeshConsumerHost : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    private readonly MeshConsumerOptions options;
    private readonly IServiceScopeFactory scopes;
    private readonly ILogger<MeshConsumerHost> logger;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource abort = new();
    private readonly Guid instance = Guid.NewGuid();
    private readonly Dictionary<string, int> maxInFlight;

    // Touched only by the consume loop's thread (rebalance and statistics callbacks run on it too).
    private readonly Dictionary<TopicPartition, PartitionWorker> workers = [];
    private readonly HashSet<TopicPartition> paused = [];
    private readonly HashSet<TopicPartition> assignment = [];
    private volatile IReadOnlyList<TopicPartition> assignmentSnapshot = [];
    private volatile Exception? workerFailure;

    /// <summary>Creates the host; <c>AddMeshConsumer</c> does this for a service.</summary>
    /// <param name="options">The group and its handlers; validated here.</param>
    /// <param name="scopes">Creates the DI scope each handler attempt runs in.</param>
    /// <param name="logger">The log.</param>
    /// <param name="time">The clock for retry delays and <c>failed-at</c>.</param>
    public MeshConsumerHost(MeshConsumerOptions options, IServiceScopeFactory scopes, ILogger<MeshConsumerHost> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        MessagingMetrics.EnsureCreated();
        this.options = options;
        maxInFlight = options.Registrations.ToDictionary(r => r.Topic, r => r.MaxInFlightPerPartition, StringComparer.Ordinal);
        this.scopes = scopes;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The consumer group.</summary>
    public string GroupId => options.GroupId;

    /// <summary>The partitions this member owns right now.</summary>
    public IReadOnlyList<TopicPartition> AssignedPartitions => assignmentSnapshot;

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Returns when the loop has finished, or when the host's shutdown grace period is over.
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is { IsCompleted: false } loop)
        {
            // Grace is over: cancel the handlers still running (their messages stay unstored) and let the loop
            // close the consumer, so the group hands the partitions on at once instead of after a session timeout.
            await abort.CancelAsync();
            await loop.WaitAsync(CloseWait, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        abort.Dispose();
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Consume blocks the calling thread, so the loop gets a thread of its own rather than a pool thread.
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
                Log.ConsumerFailed(logger, options.GroupId, e);
                completion.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "mesh-consumer " + options.GroupId,
        };
        thread.Start();
        return completion.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        KafkaNative.EnsureLoaded();
        var clientId = options.ClientId ?? options.GroupId;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(options.BootstrapServers, clientId + "-dlq")).Build();
        var processor = new MessageProcessor(options, scopes, new DeadLetterWriter(producer, time), time, logger);

        var kafkaGroup = options.GroupPerProcess ? $"{options.GroupId}-{instance:N}" : options.GroupId;
        var config = KafkaClientConfig.Consumer(options.BootstrapServers, kafkaGroup, clientId, (int)options.MaxFetchWait.TotalMilliseconds);
        if (options.GroupPerProcess)
        {
            // A group nobody joins again: it starts at the end of the topics and keeps no offsets.
            config.AutoOffsetReset = AutoOffsetReset.Latest;
            config.EnableAutoCommit = false;
        }
        config.PartitionAssignmentStrategy = options.Assignment == PartitionAssignment.Range
            ? PartitionAssignmentStrategy.Range
            : PartitionAssignmentStrategy.CooperativeSticky;
        config.StatisticsIntervalMs = (int)options.StatisticsInterval.TotalMilliseconds;
        config.SessionTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds;
        config.HeartbeatIntervalMs = Math.Min(3000, config.SessionTimeoutMs.Value / 3);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetPartitionsAssignedHandler((_, assigned) => Assign(assigned))
            .SetPartitionsRevokedHandler((_, revoked) => StopWorkers([.. revoked.Select(p => p.TopicPartition)], "revoked"))
            .SetPartitionsLostHandler((_, lost) => StopWorkers([.. lost.Select(p => p.TopicPartition)], "lost"))
            .SetStatisticsHandler((_, json) => UpdateLag(json))
            .SetErrorHandler((_, error) => Log.KafkaError(logger, options.GroupId, error.Code.ToString(), error.Reason))
            .Build();

        consumer.Subscribe(options.Topics);
        Log.ConsumerStarted(logger, options.GroupId, string.Join(", ", options.Topics), options.Assignment.ToString());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (workerFailure is { } failure)
                {
                    throw new InvalidOperationException($"A partition worker of group '{options.GroupId}' failed.", failure);
                }

                ResumeDrained(consumer);
                ConsumeResult<byte[]?, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    Log.ConsumeFailed(logger, options.GroupId, e.Error.Code.ToString(), e.Error.Reason);
                    continue;
                }

                if (result is { IsPartitionEOF: false })
                {
                    Dispatch(consumer, processor, result);
                }
            }
        }
        finally
        {
            StopWorkers([.. workers.Keys], "stopping");
            try
            {
                consumer.Close();
            }
            catch (KafkaException e)
            {
                Log.CloseFailed(logger, options.GroupId, e.Error.Reason);
            }

            ConsumerLag.Remove(instance);
            producer.Flush(CloseWait);
            Log.ConsumerStopped(logger, options.GroupId);
        }
    }

    private void Dispatch(IConsumer<byte[]?, byte[]> consumer, MessageProcessor processor, ConsumeResult<byte[]?, byte[]> result)
    {
        var partition = result.TopicPartition;
        if (!workers.TryGetValue(partition, out var worker))
        {
            worker = new PartitionWorker(processor.ProcessAsync, r => Store(consumer, r), maxInFlight[partition.Topic], abort.Token);
            worker.Completion.ContinueWith(
                t => Interlocked.CompareExchange(ref workerFailure, t.Exception?.GetBaseException(), null),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            workers[partition] = worker;
        }

        worker.Enqueue(result);
        if (worker.Pending >= options.MaxQueuedPerPartition && paused.Add(partition))
        {
            consumer.Pause([partition]);
        }
    }

    private void Assign(List<TopicPartition> partitions)
    {
        assignment.UnionWith(partitions);
        assignmentSnapshot = [.. assignment];
        Log.PartitionsAssigned(logger, options.GroupId, Describe(partitions));
    }

    private void ResumeDrained(IConsumer<byte[]?, byte[]> consumer)
    {
        if (paused.Count == 0)
        {
            return;
        }

        var drained = paused.Where(p => workers.TryGetValue(p, out var w) && w.Pending <= options.MaxQueuedPerPartition / 2).ToList();
        if (drained.Count > 0)
        {
            consumer.Resume(drained);
            paused.ExceptWith(drained);
        }
    }

    private void Store(IConsumer<byte[]?, byte[]> consumer, ConsumeResult<byte[]?, byte[]> result)
    {
        try
        {
            consumer.StoreOffset(result);
        }
        catch (KafkaException e)
        {
            // The partition was taken away meanwhile; its next owner reads this message again.
            Log.StoreFailed(logger, result.Topic, result.Partition.Value, result.Offset.Value, e.Error.Reason);
        }
    }

    // Runs on the loop thread inside Consume during a rebalance: the revoked partitions' messages in progress are
    // finished and stored before the partitions are handed on, and librdkafka commits the stored offsets then.
    private void StopWorkers(List<TopicPartition> partitions, string reason)
    {
        var stopping = new List<PartitionWorker>();
        assignment.ExceptWith(partitions);
        assignmentSnapshot = [.. assignment];
        foreach (var partition in partitions)
        {
            paused.Remove(partition);
            if (workers.Remove(partition, out var worker))
            {
                stopping.Add(worker);
            }
        }

        if (partitions.Count > 0)
        {
            Log.PartitionsReleased(logger, options.GroupId, reason, Describe(partitions));
        }

        try
        {
            Task.WhenAll(stopping.Select(w => w.StopAsync())).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref workerFailure, e, null);
        }
        finally
        {
            stopping.ForEach(w => w.Dispose());
        }
    }

    private void UpdateLag(string statistics)
    {
        try
        {
            ConsumerLag.Update(instance, options.GroupId, statistics);
        }
        catch (JsonException e)
        {
            Log.StatisticsUnreadable(logger, options.GroupId, e.Message);
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => $"{p.Topic}[{p.Partition.Value}]"));
}
