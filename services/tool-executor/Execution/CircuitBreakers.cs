using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// One <see cref="CircuitBreaker"/> per tool, per process: each executor judges a tool by what it sees itself,
/// so a breaker never needs a shared store to work (and opens within one process's N failures).
/// </summary>
public sealed class CircuitBreakers(IOptions<ExecutorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CircuitBreaker> breakers = new(StringComparer.Ordinal);

    public CircuitBreaker For(string tool) =>
        breakers.GetOrAdd(tool, _ => new CircuitBreaker(options.Value.CircuitFailureThreshold, options.Value.CircuitOpenDuration, time));

    internal IEnumerable<Measurement<int>> Observe() =>
        breakers.Select(b => new Measurement<int>((int)b.Value.State, new KeyValuePair<string, object?>("tool", b.Key)));
}
