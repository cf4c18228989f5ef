using System.Text.Json;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Storage;
using Mesh.Infra.Messaging;
using Mesh.Infra.Redis;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// Sends a turn's batch on <c>tool.requests</c>, after the batch was saved: a crash in between leaves
/// <see cref="Turn.RequestsPublished"/> unset and the next handler sends the batch again. Request ids are
/// deterministic, so the executor runs a repeated request once. Cancels calls through the executor's mechanism.
/// </summary>
public sealed class ToolDispatcher(MeshPublisher publisher, TurnStore turns, ToolDeadlines deadlines, RedisConnection redis, TimeProvider time, ILogger<ToolDispatcher> logger)
{
    private static readonly TimeSpan CancelMarkTtl = TimeSpan.FromHours(1);

    public async Task<Turn> DispatchAsync(Turn turn, string cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var sending = turn.Calls.Where(c => !c.Resolved).ToList();
        var published = new List<Task>(sending.Count);
        foreach (var call in sending)
        {
            using var arguments = JsonDocument.Parse(call.Arguments);
            var request = new ToolRequest(
                call.RequestId, turn.SessionId, turn.TurnId, call.CallIndex, turn.TenantId, turn.ActorId, call.Tool,
                arguments.RootElement.Clone(), time.GetUtcNow(), turn.PersonaId, CacheStrategy.Smart, turn.Deadline);
            // Not awaited one by one: the idempotent producer keeps their order; all are acknowledged before the flag is saved.
            published.Add(publisher.PublishAsync(MeshTopics.ToolRequests, turn.SessionId.ToString("D"), request,
                new PublishContext(turn.TenantId, turn.TurnId.ToString("D"), cause), cancellationToken));
        }

        await Task.WhenAll(published);

        var sent = turn with { RequestsPublished = true };
        await turns.SaveAsync(sent, cancellationToken);
        deadlines.Arm(sent);
        Log.ToolRequestsSent(logger, turn.SessionId, turn.TurnId, sending.Count);
        return sent;
    }

    /// <summary>
    /// Tells the executors to stop the calls: a request not yet started is answered <c>cancelled</c> without running,
    /// a running one is interrupted. Best effort: if Redis cannot be reached the turn is cancelled all the same and
    /// the calls' late results are ignored.
    /// </summary>
    public async Task CancelAsync(IEnumerable<Guid> requestIds)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        try
        {
            foreach (var id in requestIds)
            {
                await redis.Database.StringSetAsync(ToolCancellation.Key(id), "1", CancelMarkTtl);
                await redis.Multiplexer.GetSubscriber().PublishAsync(ToolCancellation.Channel, id.ToString("D"));
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.ToolCancelNotSent(logger, e.GetType().Name);
        }
    }
}
