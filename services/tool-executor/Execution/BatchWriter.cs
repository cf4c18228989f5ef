using System.Threading.Channels;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// Coalesces concurrent writes into one statement per batch. A caller queues its item and awaits the item's
/// result; each of a few writer loops takes what is queued (up to <c>maxBatch</c> items) and writes it in one round
/// trip. A lone call is written at once; under load a batch fills while the previous one is on its way, so the
/// database sees one transaction per batch instead of one per request. If the write fails, every caller of that
/// batch gets the exception. The items of a batch have distinct keys: one statement cannot write a row twice.
/// </summary>
/// <typeparam name="TItem">What a caller writes.</typeparam>
/// <typeparam name="TResult">What a caller gets back.</typeparam>
public sealed class BatchWriter<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Entry> queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Func<TItem, Guid> key;
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write;
    private readonly int maxBatch;
    private readonly Task[] writers;

    /// <param name="key">The row an item writes.</param>
    /// <param name="write">Writes a batch and returns one result per item, in the items' order.</param>
    /// <param name="writers">How many batches may be on their way at once.</param>
    /// <param name="maxBatch">The most items one batch takes.</param>
    public BatchWriter(Func<TItem, Guid> key, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, int writers, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        this.key = key;
        this.write = write;
        this.maxBatch = maxBatch;
        this.writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>Queues <paramref name="item"/> for the next batch and waits until that batch is written.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Stops waiting; an item already queued may still be written.</param>
    /// <returns>The item's result.</returns>
    public Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        var entry = new Entry(item);
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(entry), this);
        return entry.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes what is queued, then stops the writer loops.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(writers);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Entry>(maxBatch);
        var keys = new HashSet<Guid>();
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var entry))
            {
                if (keys.Add(key(entry.Item)))
                {
                    batch.Add(entry);
                }
                else
                {
                    // Only a lease holder writes a request's row, so two writes of one row at once mean a lease was
                    // lost; failing the second lets its delivery start over (lease, then the row as it is by then).
                    entry.Result.TrySetException(new InvalidOperationException($"A write of {key(entry.Item)} is already in this batch."));
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var results = await write([.. batch.Select(e => e.Item)]);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Result.TrySetException(e));
            }
            batch.Clear();
            keys.Clear();
        }
    }

    private sealed class Entry(TItem item)
    {
        public TItem Item { get; } = item;

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
