using System.Diagnostics;
using System.Globalization;
using Mesh.Infra.Messaging;

namespace Mesh.Bench;

/// <summary>Runs both messaging benchmarks and prints the figures, the ratios and whether the goals are met.</summary>
internal static class MessagingReport
{
    private const double ThroughputOverheadGoal = 0.10;
    private const double LatencyOverheadGoalMs = 0.5;

    public static async Task RunAsync(BenchTopics topics, string bootstrapServers, int messages, int rounds, int roundTrips)
    {
        // Spans are recorded as the service defaults record them, so the library pays for tracing here too.
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(tracing);

        var measured = await ThroughputBench.RunAsync(topics, bootstrapServers, messages, rounds);
        var rate = measured.ToDictionary(r => r.Key, r => Median([.. r.Value.Select(x => x.Rate)]));
        var cpu = measured.ToDictionary(r => r.Key, r => Median([.. r.Value.Select(x => x.CpuMicroseconds)]));
        Print($"throughput: {messages} messages per round, {rounds} rounds, {BenchTopics.ThroughputPartitions} partitions, publish until all handled (medians)");
        foreach (var contender in Contenders.All)
        {
            Print($"  {contender.Label(),-18} {rate[contender],9:N0} msg/s  {cpu[contender],7:F1} us CPU/msg   rounds: {Join([.. measured[contender].Select(r => r.Rate)])} msg/s");
        }

        PrintRatio("library / raw", rate[Contender.Library] / rate[Contender.Raw], cpu[Contender.Raw] / cpu[Contender.Library]);
        PrintRatio("library / raw + validation", rate[Contender.Library] / rate[Contender.RawValidated], cpu[Contender.RawValidated] / cpu[Contender.Library]);

        var latencies = await PingPongBench.RunAsync(topics, bootstrapServers, roundTrips);
        Print($"two-hop ping-pong latency: {roundTrips} round trips each, ping published until pong handled");
        foreach (var contender in Contenders.All)
        {
            Print($"  {contender.Label(),-18} p50 {Percentile(latencies[contender], 0.50),6:F2} ms   p99 {Percentile(latencies[contender], 0.99),6:F2} ms");
        }

        PrintLatency("library - raw", latencies[Contender.Library], latencies[Contender.Raw]);
        PrintLatency("library - raw + validation", latencies[Contender.Library], latencies[Contender.RawValidated]);
    }

    /// <summary>Throughput ratio by wall clock, and as CPU cost predicts it (inverse CPU time per message).</summary>
    private static void PrintRatio(string what, double ratio, double cpuRatio) =>
        Print($"  {what,-28} throughput ratio {ratio:F3} (overhead {1 - ratio,6:P1}), by CPU/msg {cpuRatio:F3} (overhead {1 - cpuRatio,6:P1})  goal overhead <= {ThroughputOverheadGoal:P0}: {Verdict(1 - ratio <= ThroughputOverheadGoal)} / {Verdict(1 - cpuRatio <= ThroughputOverheadGoal)}");

    private static void PrintLatency(string what, List<double> library, List<double> baseline)
    {
        var p50 = Percentile(library, 0.50) - Percentile(baseline, 0.50);
        var p99 = Percentile(library, 0.99) - Percentile(baseline, 0.99);
        Print($"  {what,-28} p50 {p50,6:+0.00;-0.00} ms  p99 {p99,6:+0.00;-0.00} ms  ratio p50 {Percentile(library, 0.50) / Percentile(baseline, 0.50):F3}  (goal p50 <= +{LatencyOverheadGoalMs} ms: {Verdict(p50 <= LatencyOverheadGoalMs)})");
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        var rank = quantile * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static string Join(List<double> values) =>
        string.Join(" ", values.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)));

    private static string Verdict(bool met) => met ? "met" : "NOT met";

    private static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
