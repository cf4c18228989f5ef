namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// One writer per session inside the process. The consumer runs <c>conversation.inbound</c> partition n and
/// <c>tool.results</c> partition n side by side, and both carry the same sessions, so their handlers take the
/// session's lock. Sessions share a fixed set of locks (striped), which bounds memory at the cost of an
/// occasional wait between two sessions on the same stripe.
/// </summary>
public sealed class SessionLocks : IDisposable
{
    private readonly SemaphoreSlim[] stripes = [.. Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> AcquireAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var stripe = stripes[(sessionId.GetHashCode() & int.MaxValue) % stripes.Length];
        await stripe.WaitAsync(cancellationToken);
        return new Held(stripe);
    }

    public void Dispose()
    {
        foreach (var stripe in stripes)
        {
            stripe.Dispose();
        }
    }

    private sealed class Held(SemaphoreSlim stripe) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
