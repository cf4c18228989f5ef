using System.Collections.Concurrent;

namespace Mesh.Bench.ToolExecutor;

/// <summary>Answers by correlation id: a waiter per id for latency, a set of ids for a burst. Anything else is ignored.</summary>
internal sealed class Arrivals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> waiting = new();
    private ConcurrentDictionary<string, byte> burst = new();
    private TaskCompletionSource burstDone = new();

    public Task Expect(string correlation)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting[correlation] = source;
        return source.Task;
    }

    public Task ExpectBurst(IEnumerable<string> correlations)
    {
        burstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        burst = new ConcurrentDictionary<string, byte>(correlations.Select(c => KeyValuePair.Create(c, (byte)0)));
        return burstDone.Task;
    }

    public void Arrive(string? correlation)
    {
        if (correlation is null)
        {
            return;
        }
        if (waiting.TryRemove(correlation, out var source))
        {
            source.TrySetResult();
        }
        var pending = burst;
        if (pending.TryRemove(correlation, out _) && pending.IsEmpty)
        {
            burstDone.TrySetResult();
        }
    }
}
