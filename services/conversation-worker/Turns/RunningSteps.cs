using System.Collections.Concurrent;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// The model calls streaming in this process, by session, so that a cancel request can stop one mid-answer. The
/// request itself waits on the session's partition behind the streaming step; a second, per-process reader of
/// <c>conversation.inbound</c> (<see cref="Handlers.CancelSignalHandler"/>) sees it at once and signals here.
/// </summary>
public sealed class RunningSteps
{
    private readonly ConcurrentDictionary<Guid, (Guid TurnId, DateTimeOffset StartedAt, CancellationTokenSource Cancel)> running = new();

    /// <summary>Registers a streaming step; its token stops the model call. Call <see cref="End"/> when the step is over.</summary>
    public CancellationTokenSource Begin(Guid sessionId, Guid turnId, DateTimeOffset startedAt, CancellationToken stopping)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        running[sessionId] = (turnId, startedAt, source);
        return source;
    }

    public void End(Guid sessionId, CancellationTokenSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (running.TryGetValue(sessionId, out var step) && ReferenceEquals(step.Cancel, source))
        {
            running.TryRemove(new KeyValuePair<Guid, (Guid, DateTimeOffset, CancellationTokenSource)>(sessionId, step));
        }

        source.Dispose();
    }

    /// <summary>The turn streaming for a session here and when it started, if any.</summary>
    public (Guid TurnId, DateTimeOffset StartedAt)? Streaming(Guid sessionId) =>
        running.TryGetValue(sessionId, out var step) ? (step.TurnId, step.StartedAt) : null;

    /// <summary>Stops the session's streaming step if it belongs to <paramref name="turnId"/>.</summary>
    public bool Cancel(Guid sessionId, Guid turnId)
    {
        if (!running.TryGetValue(sessionId, out var step) || step.TurnId != turnId)
        {
            return false;
        }

        try
        {
            step.Cancel.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }
}
