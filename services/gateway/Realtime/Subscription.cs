using System.Threading.Channels;

namespace Mesh.Gateway.Realtime;

/// <summary>Why the hub ended a subscription.</summary>
public enum SubscriptionEnd
{
    None,
    /// <summary>The client fell behind by more than the send queue holds.</summary>
    Overflow,
    /// <summary>A WebSocket client sent nothing for the idle timeout.</summary>
    Idle,
    /// <summary>The session was deleted.</summary>
    SessionDeleted,
    /// <summary>The gateway is stopping.</summary>
    ShuttingDown,
}

/// <summary>
/// One local client's interest in one session: a bounded queue the fan-out writes into without ever waiting.
/// An idle subscription holds an empty queue and nothing else (no consumer, no timer, no buffer).
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly Channel<OutboundEvent> queue;
    private readonly SessionHub hub;
    private readonly Action? onOverflow;
    private long lastActivity = Environment.TickCount64;
    private int end;

    internal Subscription(SessionHub hub, Guid sessionId, int capacity, bool closesWhenIdle, Action? onOverflow)
    {
        this.hub = hub;
        this.onOverflow = onOverflow;
        SessionId = sessionId;
        ClosesWhenIdle = closesWhenIdle;
        queue = Channel.CreateBounded<OutboundEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Guid SessionId { get; }

    /// <summary>True for WebSockets (closed when silent), false for SSE (kept alive with comments).</summary>
    public bool ClosesWhenIdle { get; }

    /// <summary>The queued events; completes when the hub ends the subscription.</summary>
    public ChannelReader<OutboundEvent> Events => queue.Reader;

    public SubscriptionEnd End => (SubscriptionEnd)Volatile.Read(ref end);

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>) of the client's last frame.</summary>
    public long LastActivity => Volatile.Read(ref lastActivity);

    /// <summary>Records that the client sent something.</summary>
    public void Touch() => Volatile.Write(ref lastActivity, Environment.TickCount64);

    /// <summary>Queues an event without waiting; a full queue ends the subscription (the client resumes with <c>after</c>).</summary>
    internal void Offer(OutboundEvent outbound)
    {
        if (!queue.Writer.TryWrite(outbound) && Finish(SubscriptionEnd.Overflow) && onOverflow is { } abort)
        {
            // The connection's sender may be stuck writing to a client that stopped reading: abort it off this thread.
            ThreadPool.UnsafeQueueUserWorkItem(static a => a(), abort, preferLocal: false);
        }
    }

    /// <summary>Ends the subscription once; the reader sees the queued events, then completion.</summary>
    internal bool Finish(SubscriptionEnd reason)
    {
        if (Interlocked.CompareExchange(ref end, (int)reason, (int)SubscriptionEnd.None) != (int)SubscriptionEnd.None)
        {
            return false;
        }
        queue.Writer.TryComplete();
        return true;
    }

    public void Dispose()
    {
        Finish(SubscriptionEnd.ShuttingDown);
        hub.Remove(this);
    }
}
