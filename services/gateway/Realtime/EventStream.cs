using System.Runtime.CompilerServices;
using Mesh.Contracts.Serialization;
using Mesh.Gateway.Options;
using Mesh.Gateway.Sessions;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Realtime;

/// <summary>What to do with a live event, given the last seq a client has.</summary>
public enum LiveStep
{
    /// <summary>Already sent (it came with the replay): drop it.</summary>
    Skip,
    /// <summary>The next one: send it.</summary>
    Deliver,
    /// <summary>Events are missing before it: fetch them from history first.</summary>
    FillGap,
}

/// <summary>
/// Replay-then-live for one client: subscribe first, replay history after the client's <c>after</c>, then the live
/// events, each seq exactly once and in order. The worker appends an event to the history before it publishes it,
/// so a gap in the live stream (an event published before this instance's consumer was positioned) is always
/// fillable from history.
/// </summary>
public sealed class EventStream(ConversationWorkerClient history, IOptions<ChatOptions> options, ILogger<EventStream> logger)
{
    /// <summary>The decision for a live event (pure).</summary>
    public static LiveStep Next(long? lastSeq, long seq) =>
        lastSeq is not { } last ? LiveStep.Deliver
        : seq <= last ? LiveStep.Skip
        : seq == last + 1 ? LiveStep.Deliver
        : LiveStep.FillGap;

    /// <summary>
    /// The events a client receives: with <paramref name="after"/> the history after it, then live events; without,
    /// live events only. <paramref name="subscription"/> must exist before this starts, so nothing falls between.
    /// Keep-alives pass through. Throws <see cref="ConversationWorkerException"/> when history cannot be read.
    /// </summary>
    public async IAsyncEnumerable<OutboundEvent> ReadAsync(
        Session session, long? after, Subscription subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = after;
        if (after is { } from)
        {
            await foreach (var replayed in HistoryAsync(session, from, long.MaxValue, cancellationToken))
            {
                last = replayed.Event!.Seq;
                yield return replayed;
            }
        }

        await foreach (var live in subscription.Events.ReadAllAsync(cancellationToken))
        {
            if (live.Event is not { } current)
            {
                yield return live;
                continue;
            }
            if (current.TenantId != session.TenantId)
            {
                continue;
            }
            var step = Next(last, current.Seq);
            if (step == LiveStep.Skip)
            {
                continue;
            }
            if (step == LiveStep.FillGap)
            {
                await foreach (var missed in HistoryAsync(session, last!.Value, current.Seq - 1, cancellationToken))
                {
                    last = missed.Event!.Seq;
                    yield return missed;
                }
                if (last != current.Seq - 1)
                {
                    Log.GapNotFilled(logger, session.Id, last!.Value, current.Seq);
                }
            }
            last = current.Seq;
            yield return live;
        }
    }

    private async IAsyncEnumerable<OutboundEvent> HistoryAsync(
        Session session, long after, long upTo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pageSize = options.Value.HistoryPageSize;
        while (after < upTo)
        {
            var page = await history.GetEventsAsync(session.TenantId, session.Id, after, pageSize, cancellationToken);
            foreach (var stored in page.Events)
            {
                if (stored.Seq <= after)
                {
                    continue;
                }
                if (stored.Seq > upTo)
                {
                    yield break;
                }
                after = stored.Seq;
                yield return new OutboundEvent(stored, MeshJson.SerializeToUtf8Bytes(stored));
            }
            if (page.NextAfter is not { } next || page.Events.Count == 0)
            {
                yield break;
            }
            after = Math.Max(after, next);
        }
    }
}
