using System.Collections.Concurrent;
using Mesh.ToolExecutor.Options;
using Mesh.ToolExecutor.Tools;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// Bounded concurrency per process: at most <see cref="ExecutorOptions.MaxConcurrency"/> runs over all tools and
/// at most each tool's <c>MaxConcurrency</c> runs of that tool. The tool's own slot is taken first, so a request
/// waiting for a busy tool never holds a slot that other tools could use.
/// </summary>
public sealed class ConcurrencyLimits(IOptions<ExecutorOptions> options) : IDisposable
{
    private readonly SemaphoreSlim overall = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);
    private readonly ConcurrentDictionary<(string Tool, int Limit), SemaphoreSlim> perTool = new();

    /// <summary>Waits up to <paramref name="wait"/> for both slots; null when none came free in time. Dispose the slot to release it.</summary>
    public async Task<IDisposable?> AcquireAsync(RegisteredTool tool, TimeSpan wait, CancellationToken cancellationToken)
    {
        var descriptor = tool.Descriptor;
        var own = perTool.GetOrAdd((descriptor.Name, descriptor.MaxConcurrency), key => new SemaphoreSlim(key.Limit, key.Limit));
        var started = DateTimeOffset.UtcNow;
        if (!await own.WaitAsync(wait, cancellationToken))
        {
            return null;
        }
        var left = wait - (DateTimeOffset.UtcNow - started);
        try
        {
            if (left <= TimeSpan.Zero || !await overall.WaitAsync(left, cancellationToken))
            {
                own.Release();
                return null;
            }
        }
        catch (OperationCanceledException)
        {
            own.Release();
            throw;
        }
        return new Slot(own, overall);
    }

    public void Dispose()
    {
        overall.Dispose();
        foreach (var semaphore in perTool.Values)
        {
            semaphore.Dispose();
        }
    }

    private sealed class Slot(SemaphoreSlim own, SemaphoreSlim overall) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                overall.Release();
                own.Release();
            }
        }
    }
}
