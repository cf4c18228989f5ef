using System.Threading.Channels;
using Confluent.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>
/// Runs the messages of one partition one after another, in offset order, and stores each offset once the
/// message is finished. Workers of different partitions run concurrently.
/// </summary>
internal sealed class PartitionWorker
{
    private readonly Channel<ConsumeResult<byte[]?, byte[]>> queue =
        Channel.CreateUnbounded<ConsumeResult<byte[]?, byte[]>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly Func<ConsumeResult<byte[]?, byte[]>, CancellationToken, Task> process;
    private readonly Action<ConsumeResult<byte[]?, byte[]>> store;
    private readonly CancellationToken abort;
    private int pending;
    private volatile bool stopping;

    public PartitionWorker(
        Func<ConsumeResult<byte[]?, byte[]>, CancellationToken, Task> process,
        Action<ConsumeResult<byte[]?, byte[]>> store,
        CancellationToken abort)
    {
        this.process = process;
        this.store = store;
        this.abort = abort;
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Completes when the worker has stopped; faults if processing failed unexpectedly.</summary>
    public Task Completion { get; }

    /// <summary>Messages received and not yet finished.</summary>
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
    /// Finishes the message in progress and stops. Messages still queued are left unstored: whoever owns the
    /// partition next reads them again from the last stored offset.
    /// </summary>
    public Task StopAsync()
    {
        stopping = true;
        queue.Writer.TryComplete();
        return Completion;
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (!stopping && await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (!stopping && reader.TryRead(out var result))
            {
                try
                {
                    await process(result, abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    // The shutdown grace period is over: this message stays unstored, so it is redelivered.
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref pending);
                }

                store(result);
            }
        }
    }
}
