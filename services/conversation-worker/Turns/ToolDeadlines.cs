using System.Collections.Concurrent;
using Mesh.Contracts.Common;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using Mesh.Infra.Messaging;
using Microsoft.Extensions.Options;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// The tool-result deadline. When a waiting turn's deadline passes, a <c>timeout</c> result is published on
/// <c>tool.results</c> for each of its calls (executor <see cref="ExecutorId"/>), so the timeout reaches the turn the
/// way every result does: in order, through the session's owner, whichever worker that is by then. A result
/// that arrives first wins; the later one finds the call answered and is ignored. Timers live in memory: the
/// worker that sends the calls arms them, and every worker arms those of all waiting turns when it starts.
/// </summary>
public sealed class ToolDeadlines(MeshPublisher publisher, IOptions<AgentOptions> agent, TimeProvider time, ILogger<ToolDeadlines> logger) : IDisposable
{
    /// <summary>The <c>executor_id</c> of synthesized timeout results.</summary>
    public const string ExecutorId = "conversation-worker";

    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ForgetFiredAfter = TimeSpan.FromHours(1);

    // Per turn: the deadline armed, and its timer until it fires. A fired deadline stays recorded for a while so
    // that a handler re-arming the same deadline (every handler does, after a takeover) does not fire it twice.
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Deadline, ITimer? Timer)> armed = new();

    public void Arm(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (turn is not { Status: TurnStatus.WaitingTools, Deadline: { } deadline }
            || (armed.TryGetValue(turn.TurnId, out var current) && current.Deadline == deadline))
        {
            return;
        }

        foreach (var (turnId, fired) in armed.Where(e => e.Value.Timer is null && e.Value.Deadline < time.GetUtcNow() - ForgetFiredAfter))
        {
            armed.TryRemove(new KeyValuePair<Guid, (DateTimeOffset, ITimer?)>(turnId, fired));
        }

        // Recorded before it can fire: a deadline already past fires at once.
        var timer = time.CreateTimer(_ => _ = FireAsync(turn, deadline), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var previous = armed.TryGetValue(turn.TurnId, out var entry) ? entry.Timer : null;
        armed[turn.TurnId] = (deadline, timer);
        previous?.Dispose();
        var due = deadline - time.GetUtcNow();
        timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    public void Disarm(Guid turnId)
    {
        if (armed.TryRemove(turnId, out var entry))
        {
            entry.Timer?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var entry in armed.Values)
        {
            entry.Timer?.Dispose();
        }

        armed.Clear();
    }

    private async Task FireAsync(Turn turn, DateTimeOffset deadline)
    {
        if (!armed.TryGetValue(turn.TurnId, out var entry) || entry.Deadline != deadline || entry.Timer is null
            || !armed.TryUpdate(turn.TurnId, (deadline, null), entry))
        {
            return;
        }

        entry.Timer.Dispose();
        var waited = (long)(agent.Value.ToolResultTimeout + (time.GetUtcNow() - deadline)).TotalMilliseconds;
        try
        {
            foreach (var call in turn.Calls.Where(c => !c.Resolved))
            {
                var result = new ToolResult(
                    call.RequestId, turn.SessionId, turn.TurnId, call.CallIndex, turn.TenantId, call.Tool, ToolResultStatus.Timeout,
                    Truncated: false, FromCache: false, DurationMs: Math.Max(0, waited), ExecutorId, time.GetUtcNow(),
                    Error: new ErrorDetail("timeout", "No result arrived before the tool-result deadline."));
                await publisher.PublishAsync(MeshTopics.ToolResults, turn.SessionId.ToString("D"), result, new PublishContext(turn.TenantId, turn.TurnId.ToString("D")));
            }

            Log.DeadlinePassed(logger, turn.SessionId, turn.TurnId);
        }
        catch (Exception e)
        {
            Log.DeadlinePublishFailed(logger, turn.TurnId, e.GetType().Name);
            Arm(turn with { Deadline = time.GetUtcNow() + RetryAfterFailure });
        }
    }
}
