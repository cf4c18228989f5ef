using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;
using Mesh.Contracts.Policy;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mesh.Policy.Decisions;

/// <summary>
/// Audits decisions off the request path: each decision is queued, written to <c>policy_decisions</c> in
/// batches and then handed to the publisher for <c>policy.decisions</c>. A batch that cannot be written is
/// retried with backoff, never dropped; publishing runs beside the writer, so a slow Kafka never holds up the
/// database audit. On shutdown the queue is drained and publishes in flight are awaited.
/// </summary>
public sealed class DecisionRecorder(NpgsqlDataSource dataSource, DecisionPublisher publisher, ILogger<DecisionRecorder> logger)
    : BackgroundService
{
    private const int MaxBatch = 200;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan EnqueueLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PublishLimit = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Guid, Task> publishing = new();

    // Bounded: when the database stalls for long, checks slow down instead of memory growing without limit.
    private readonly Channel<PolicyDecision> queue = Channel.CreateBounded<PolicyDecision>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a decision for the audit; false when the queue stayed full (the database stalls) or is closed.</summary>
    public async Task<bool> TryEnqueueAsync(PolicyDecision decision, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(EnqueueLimit);
        try
        {
            await queue.Writer.WriteAsync(decision, limit.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(publishing.Values).WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PolicyDecision>(MaxBatch);
        // Not the stopping token: after stop the queue is completed and drained, then the loop ends by itself.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var decision))
            {
                batch.Add(decision);
            }

            await WriteWithRetryAsync(batch, stoppingToken);
            foreach (var decision in batch)
            {
                var publish = PublishAsync(decision);
                publishing[decision.DecisionId] = publish;
                _ = publish.ContinueWith(_ => publishing.TryRemove(decision.DecisionId, out Task? _), TaskScheduler.Default);
            }

            batch.Clear();
        }
    }

    private async Task WriteWithRetryAsync(List<PolicyDecision> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await InsertAsync(batch);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                if (stoppingToken.IsCancellationRequested && delay >= MaxBackoff)
                {
                    Log.DecisionAuditAbandoned(logger, batch.Count, e.Message);
                    return;
                }

                Log.DecisionAuditRetry(logger, batch.Count, delay, e.Message);
                await Task.Delay(delay, CancellationToken.None);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task InsertAsync(List<PolicyDecision> batch)
    {
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO policy_decisions
                (decision_id, tenant_id, user_value, relation, object, allowed, reason, source, latency_ms, decided_at, request_id, session_id)
            SELECT * FROM unnest(@ids, @tenants, @users, @relations, @objects, @allowed, @reasons, @sources, @latencies, @at, @requests, @sessions)
            ON CONFLICT (decision_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("ids", batch.Select(d => d.DecisionId).ToArray());
        command.Parameters.AddWithValue("tenants", batch.Select(d => d.TenantId).ToArray());
        command.Parameters.AddWithValue("users", batch.Select(d => d.User).ToArray());
        command.Parameters.AddWithValue("relations", batch.Select(d => d.Relation).ToArray());
        command.Parameters.AddWithValue("objects", batch.Select(d => d.ObjectId).ToArray());
        command.Parameters.AddWithValue("allowed", batch.Select(d => d.Allowed).ToArray());
        command.Parameters.AddWithValue("reasons", batch.Select(d => d.Reason).ToArray());
        command.Parameters.AddWithValue("sources", batch.Select(d => d.Source == PolicySource.OpenFga ? "openfga" : "embedded").ToArray());
        command.Parameters.AddWithValue("latencies", batch.Select(d => d.LatencyMs).ToArray());
        command.Parameters.AddWithValue("at", batch.Select(d => d.DecidedAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("requests", batch.Select(d => d.RequestId).ToArray());
        command.Parameters.AddWithValue("sessions", batch.Select(d => d.SessionId).ToArray());
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task PublishAsync(PolicyDecision decision)
    {
        // The publisher's producer is idempotent with acks=all and retries by itself; what it still gives up on
        // stays in the database audit and is logged.
        try
        {
            using var deadline = new CancellationTokenSource(PublishLimit);
            await publisher.PublishAsync(decision, deadline.Token);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or InvalidMessageException)
        {
            Log.DecisionPublishFailed(logger, $"{decision.DecisionId:D}: {e.Message}");
        }
    }
}
