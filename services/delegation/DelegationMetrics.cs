using System.Diagnostics.Metrics;

namespace Mesh.Delegation;

/// <summary>The delegation service's instruments (meter <c>Mesh.Delegation</c>), exported on <c>/metrics</c>.</summary>
public static class DelegationMetrics
{
    public const string MeterName = "Mesh.Delegation";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Executions entering a status, tagged <c>status</c> and <c>executor</c>.</summary>
    public static readonly Counter<long> Executions =
        Meter.CreateCounter<long>("mesh.delegation.executions", "{execution}", "Executions entering each status, by status and executor.");

    /// <summary>Executions pending or running in this process, tagged <c>status</c>.</summary>
    public static readonly UpDownCounter<long> ExecutionsActive =
        Meter.CreateUpDownCounter<long>("mesh.delegation.executions.active", "{execution}", "Executions pending or running in this process, by status.");

    /// <summary>Child sessions started and not yet answered.</summary>
    public static readonly UpDownCounter<long> TasksInFlight =
        Meter.CreateUpDownCounter<long>("mesh.delegation.tasks.in_flight", "{task}", "Sub-tasks running as child sessions.");

    /// <summary>Time from acceptance to the terminal state, tagged <c>status</c>.</summary>
    public static readonly Histogram<double> ExecutionDuration = Meter.CreateHistogram<double>(
        "mesh.delegation.execution.duration", "s", "Time from acceptance to the terminal state, by status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600] });

    /// <summary>Depth of each sub-task started as a child session.</summary>
    public static readonly Histogram<int> TaskDepth = Meter.CreateHistogram<int>(
        "mesh.delegation.task.depth", "{level}", "Delegation depth of sub-tasks started as child sessions.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 4, 5, 8] });

    public static void Entered(string status, string executor) =>
        Executions.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("executor", executor));

    public static void Active(string status, int delta) =>
        ExecutionsActive.Add(delta, new KeyValuePair<string, object?>("status", status));
}
