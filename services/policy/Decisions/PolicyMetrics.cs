using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mesh.Policy.Decisions;

/// <summary>One tenant's budget figure for the gauges: <paramref name="Kind"/> is <c>tokens</c> or <c>cost</c>.</summary>
public sealed record BudgetGaugeValue(string TenantId, string Kind, double Used, double? Limit);

/// <summary>
/// The policy service's instruments (meter <c>Mesh.Policy</c>): decision latency and counts by relation and
/// decision, and daily budget use and limits by tenant. Labels are bounded: relations come from the model,
/// tenants are few; users and sessions are never labels.
/// </summary>
public sealed class PolicyMetrics : IDisposable
{
    public const string MeterName = "Mesh.Policy";

    private readonly Meter meter = new(MeterName);
    private readonly Histogram<double> duration;
    private readonly Counter<long> decisions;
    private ImmutableArray<BudgetGaugeValue> budgets = [];

    public PolicyMetrics()
    {
        duration = meter.CreateHistogram(
            "mesh.policy.decision.duration",
            unit: "s",
            description: "Time to answer one /v1/check decision.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        decisions = meter.CreateCounter<long>("mesh.policy.decisions", description: "/v1/check decisions by relation and decision (allowed or denied).");
        meter.CreateObservableGauge(
            "mesh.policy.budget.used",
            () => budgets.Select(b => Measurement(b.Used, b)),
            description: "Budget used today (committed), by tenant and kind (tokens or cost).");
        meter.CreateObservableGauge(
            "mesh.policy.budget.limit",
            () => budgets.Where(b => b.Limit is not null).Select(b => Measurement(b.Limit!.Value, b)),
            description: "Daily budget limit, by tenant and kind (tokens or cost); absent when unlimited.");
    }

    public void RecordDecision(string relation, bool allowed, TimeSpan elapsed)
    {
        var tags = new TagList { { "relation", relation }, { "decision", allowed ? "allowed" : "denied" } };
        decisions.Add(1, tags);
        duration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>Replaces the figures the budget gauges report.</summary>
    public void SetBudgets(IEnumerable<BudgetGaugeValue> values) => budgets = [.. values];

    public void Dispose() => meter.Dispose();

    private static Measurement<double> Measurement(double value, BudgetGaugeValue budget) =>
        new(value, new KeyValuePair<string, object?>("tenant", budget.TenantId), new KeyValuePair<string, object?>("kind", budget.Kind));
}
