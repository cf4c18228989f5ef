using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Confluent.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>
/// Runs the messages of one partition, starting them in offset order with at most <c>maxInFlight</c> of them in
/// progress at once (1: one after another), and stores offsets only up to the contiguous prefix of finished
/// messages, so a stored offset never passes a message that is still running. Workers of different partitions run
/// concurrently. Dispose it once <see cref="Completion"/> has completed.
/// </summary>
internal sealed class PartitionWorker : IDisposable
{
    private readonly Channel<ConsumeResult<byte[]?, byte[]>> queue =
        Channel.CreateUnbounded<ConsumeResult<byte[]?, byte[]>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly Func<ConsumeResult<byte[]?, byte[]>, CancellationToken, Task> process;
    private readonly Action<ConsumeResult<byte[]?, byte[]>> store;
    private readonly CancellationToken abort;
    private readonly int maxInFlight;
    private readonly SemaphoreSlim slots;

    // The started messages whose offsets are not stored yet, in offset order; the lock also keeps stores in order.
    private readonly Queue<InFlight> window = new();
    private int pending;
    private volatile bool stopping;
    private Exception? failure;

    public PartitionWorker(
        Func<ConsumeResult<byte[]?, byte[]>, CancellationToken, Task> process,
        Action<ConsumeResult<byte[]?, byte[]>> store,
        int maxInFlight,
        CancellationToken abort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        this.process = process;
        this.store = store;
        this.maxInFlight = maxInFlight;
        this.abort = abort;
        slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Completes when the worker has stopped; faults if processing failed unexpectedly.</summary>
    public Task Completion { get; }

    /// <summary>Messages received and not yet finished, those in progress included.</summary>
    public int Pending => Volatile.Read(ref pending);

    public void Enqueue(ConsumeResult<byte[]?, byte[]> result)
    {
        Interlocked.Increment(ref pending);
        if (!queue.Writer.TryWrite(result))
        {
            Interlocked.Decrement(ref pending);
        }
    }

    /// <summary>
    /// Finishes the messages in progress, stores the offsets of the finished prefix and stops. Messages still
    /// queued, and finished ones behind an unfinished one, are left unstored: whoever owns the partition next
    /// reads them again from the last stored offset.
    /// </summary>
    public Task StopAsync()
    {
        stopping = true;
        queue.Writer.TryComplete();
        return Completion;
    }

    public void Dispose() => slots.Dispose();

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (!stopping && await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (!stopping && reader.TryRead(out var result))
            {
                await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                if (stopping)
                {
                    slots.Release();
                    break;
                }

                var message = new InFlight(result);
                lock (window)
                {
                    window.Enqueue(message);
                }

                _ = RunOneAsync(message);
            }
        }

        // Holding every slot means nothing is in progress any more.
        for (var i = 0; i < maxInFlight; i++)
        {
            await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task RunOneAsync(InFlight message)
    {
        try
        {
            await process(message.Result, abort).ConfigureAwait(false);
            Finish(message);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The shutdown grace period is over: this message stays unfinished, so neither it nor anything after
            // it is stored, and all of it is redelivered.
            stopping = true;
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
            stopping = true;
            // Wake the loop, which may be waiting for a next message on an idle partition, so the fault shows at once.
            queue.Writer.TryComplete();
        }
        finally
        {
            Interlocked.Decrement(ref pending);
            slots.Release();
        }
    }

    private void Finish(InFlight message)
    {
        lock (window)
        {
            message.Finished = true;
            InFlight? last = null;
            while (window.TryPeek(out var first) && first.Finished)
            {
                last = window.Dequeue();
            }

            if (last is not null)
            {
                store(last.Result);
            }
        }
    }

    private sealed class InFlight(ConsumeResult<byte[]?, byte[]> result)
    {
        public ConsumeResult<byte[]?, byte[]> Result { get; } = result;

        public bool Finished { get; set; }
    }
}
