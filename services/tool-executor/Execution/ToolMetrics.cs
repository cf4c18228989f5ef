using System.Diagnostics.Metrics;
using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// The executor's instruments (meter <c>Mesh.ToolExecutor</c>). Tool labels are registry names only; a request for
/// a tool that is not registered is counted under <c>unknown</c>, so callers cannot grow the label set.
/// </summary>
public sealed class ToolMetrics : IDisposable
{
    public const string MeterName = "Mesh.ToolExecutor";
    public const string UnknownTool = "unknown";

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> requests;
    private readonly Histogram<double> execution;
    private readonly UpDownCounter<long> inflight;
    private readonly Counter<long> cache;
    private readonly Counter<long> policy;

    public ToolMetrics(CircuitBreakers breakers)
    {
        requests = meter.CreateCounter<long>("mesh.tool.requests", description: "Tool requests answered, by tool and outcome (the result status).");
        execution = meter.CreateHistogram<double>("mesh.tool.execution", unit: "s", description: "Time a tool ran, by tool.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        inflight = meter.CreateUpDownCounter<long>("mesh.tool.inflight", description: "Tool runs in progress, by tool.");
        cache = meter.CreateCounter<long>("mesh.tool.cache", description: "Result-cache lookups and stores, by result (hit, miss, store).");
        policy = meter.CreateCounter<long>("mesh.tool.policy_decisions", description: "Policy decisions used, by decision (allowed, denied, unavailable).");
        meter.CreateObservableGauge("mesh.tool.circuit_state", breakers.Observe, description: "Circuit breaker state by tool: 0 closed, 1 half-open, 2 open.");
    }

    public void Answered(string? tool, ToolOutcome outcome) =>
        requests.Add(1, new KeyValuePair<string, object?>("tool", tool ?? UnknownTool), new KeyValuePair<string, object?>("outcome", outcome.StatusName));

    public void Ran(string tool, TimeSpan elapsed) => execution.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("tool", tool));

    public void Running(string tool, int delta) => inflight.Add(delta, new KeyValuePair<string, object?>("tool", tool));

    public void Cache(string result) => cache.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Policy(string decision) => policy.Add(1, new KeyValuePair<string, object?>("decision", decision));

    public void Dispose() => meter.Dispose();
}
