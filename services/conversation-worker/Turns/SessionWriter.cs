using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Storage;
using Mesh.Infra.Messaging;
using Npgsql;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// The single writer of one session's events for the length of one handler (under the session's lock). It gives
/// each event the next seq, appends it to PostgreSQL together with the turn state it goes with (one batch, one transaction),
/// then to the Redis hot list, then publishes it on <c>conversation.outbound</c>. Pushes and publishes are not
/// awaited one by one (the next event need not wait for the broker's acknowledgement of the last; Redis and the
/// idempotent producer keep their order); <see cref="FlushAsync"/> awaits them before the handler finishes.
/// <para>
/// A step interrupted by a crash is run again from the turn's last saved state. Before that,
/// <see cref="BeginReplayAsync"/> loads what the interrupted attempt had appended; as long as the new attempt
/// produces the same events they are published again instead of appended twice (the offline model is
/// deterministic, so its replays add nothing); from the first difference on, events are appended as new.
/// </para>
/// </summary>
public sealed class SessionWriter
{
    private const int MaxInFlight = 256;

    private readonly NpgsqlDataSource dataSource;
    private readonly EventLog log;
    private readonly MeshPublisher publisher;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly List<Task> inFlight = [];
    private Queue<ConversationEvent> replay = new();

    internal SessionWriter(
        Guid sessionId, long lastSeq, string cause, NpgsqlDataSource dataSource, EventLog log, MeshPublisher publisher, TimeProvider time, ILogger logger)
    {
        SessionId = sessionId;
        LastSeq = lastSeq;
        Cause = cause;
        this.dataSource = dataSource;
        this.log = log;
        this.publisher = publisher;
        this.time = time;
        this.logger = logger;
    }

    public Guid SessionId { get; }

    /// <summary>The <c>message-id</c> of the message being handled: the cause of everything published now.</summary>
    public string Cause { get; }

    /// <summary>The session's last seq.</summary>
    public long LastSeq { get; private set; }

    public async Task BeginReplayAsync(Turn turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        replay = new Queue<ConversationEvent>(await log.TurnEventsAfterAsync(turn.TurnId, turn.StepSeq, cancellationToken));
    }

    /// <summary>Ends a replay: what the interrupted attempt sent beyond the new attempt's events stays as it is.</summary>
    public void EndReplay() => replay.Clear();

    /// <summary>Appends and publishes events without a state change (the deltas of a streaming answer).</summary>
    public Task EmitAsync(IReadOnlyList<ConversationEvent> drafts, CancellationToken cancellationToken) =>
        CommitAsync(drafts, null, insert: false, cancellationToken);

    /// <summary>
    /// Appends <paramref name="drafts"/> and saves <paramref name="state"/> (its <see cref="Turn.StepSeq"/> set to the
    /// last seq) in one transaction, then publishes the events. Returns the state as saved.
    /// </summary>
    public async Task<Turn?> CommitAsync(IReadOnlyList<ConversationEvent> drafts, Turn? state, bool insert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        var now = time.GetUtcNow();
        var outgoing = new List<ConversationEvent>(drafts.Count);
        var fresh = new List<ConversationEvent>(drafts.Count);
        foreach (var draft in drafts)
        {
            if (replay.TryPeek(out var earlier) && earlier with { EventId = draft.EventId, Seq = draft.Seq, CreatedAt = draft.CreatedAt } == draft)
            {
                outgoing.Add(replay.Dequeue());
                continue;
            }

            replay.Clear();
            var stamped = draft with { EventId = TimeOrderedIds.NewId(), Seq = ++LastSeq, CreatedAt = now };
            fresh.Add(stamped);
            outgoing.Add(stamped);
        }

        var saved = state is null ? null : state with { StepSeq = LastSeq };
        if (fresh.Count > 0 || saved is not null)
        {
            // One round trip: a batch runs as one implicit transaction, so the events and the state land together.
            await using var batch = dataSource.CreateBatch();
            foreach (var insertEvent in EventLog.InsertCommands(fresh))
            {
                batch.BatchCommands.Add(insertEvent);
            }

            var save = saved is null ? null : TurnStore.SaveCommand(saved, insert);
            if (save is not null)
            {
                batch.BatchCommands.Add(save);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            if (save is not null)
            {
                TurnStore.EnsureSaved(saved!, save);
            }
        }

        foreach (var e in outgoing)
        {
            inFlight.Add(PushHotAsync(e));
            inFlight.Add(publisher.PublishAsync(MeshTopics.ConversationOutbound, e.SessionId.ToString("D"), e,
                new PublishContext(e.TenantId, e.TurnId.ToString("D"), Cause), cancellationToken));
        }

        if (inFlight.Count >= MaxInFlight)
        {
            await FlushAsync();
        }

        return saved;
    }

    /// <summary>Waits until every event sent so far is in Redis (or given up on) and acknowledged by Kafka.</summary>
    public async Task FlushAsync()
    {
        try
        {
            await Task.WhenAll(inFlight);
        }
        finally
        {
            inFlight.Clear();
        }
    }

    private async Task PushHotAsync(ConversationEvent e)
    {
        try
        {
            await log.PushHotAsync(e);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The log has the event; the hot list notices the gap at its next push and readers fall back to PostgreSQL.
            Log.HotListPushFailed(logger, e.SessionId, e.Seq, ex.GetType().Name);
        }
    }
}

/// <summary>Opens the writer of a session at its last seq (<see cref="SessionSnapshot.LastSeq"/>).</summary>
public sealed class SessionWriters(
    NpgsqlDataSource dataSource, EventLog log, MeshPublisher publisher, TimeProvider time, ILogger<SessionWriter> logger)
{
    public SessionWriter Open(Guid sessionId, long lastSeq, string cause) =>
        new(sessionId, lastSeq, cause, dataSource, log, publisher, time, logger);
}
