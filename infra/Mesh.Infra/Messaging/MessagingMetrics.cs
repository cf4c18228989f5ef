using System.Diagnostics.Metrics;

namespace Mesh.Infra.Messaging;

/// <summary>
/// The instruments of the meter <see cref="MeterName"/>, exported by the service defaults like every meter whose
/// name starts with <c>Mesh</c>.
/// </summary>
public static class MessagingMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Mesh.Messaging";

    /// <summary>Counter of publish attempts, tagged <c>topic</c> and <c>outcome</c> (<c>delivered</c>, <c>failed</c>, <c>invalid</c>).</summary>
    public const string ProducedName = "mesh.messaging.produced";

    /// <summary>
    /// Counter of received messages by how they ended, tagged <c>topic</c>, <c>group</c> and <c>outcome</c>:
    /// <c>handled</c> (first attempt), <c>retried</c> (handled after retries), <c>dead_lettered</c> (the handler
    /// gave up) or <c>invalid</c> (refused before the handler: headers, JSON or schema).
    /// </summary>
    public const string ConsumedName = "mesh.messaging.consumed";

    /// <summary>Histogram of handler attempt durations in seconds, tagged <c>topic</c> and <c>group</c>.</summary>
    public const string HandlerDurationName = "mesh.messaging.handler.duration";

    /// <summary>Counter of messages written to a dead-letter topic, tagged <c>topic</c> (the source topic).</summary>
    public const string DeadLettersName = "mesh.messaging.dead_letters";

    /// <summary>
    /// Gauge of consumer lag in messages from librdkafka statistics, tagged <c>group</c>, <c>topic</c> and
    /// <c>partition</c>; partitions whose lag is unknown are left out.
    /// </summary>
    public const string ConsumerLagName = "mesh.kafka.consumer.lag";

    /// <summary>Outcome tag values of <see cref="ConsumedName"/>.</summary>
    public static class Outcomes
    {
        /// <summary>Handled on the first attempt.</summary>
        public const string Handled = "handled";

        /// <summary>Handled after one or more retries.</summary>
        public const string Retried = "retried";

        /// <summary>The handler failed permanently or ran out of attempts; the message went to the DLQ.</summary>
        public const string DeadLettered = "dead_lettered";

        /// <summary>Refused before the handler ran; the message went to the DLQ.</summary>
        public const string Invalid = "invalid";
    }

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Produced =
        Meter.CreateCounter<long>(ProducedName, "{message}", "Messages published, by topic and outcome.");

    internal static readonly Counter<long> Consumed =
        Meter.CreateCounter<long>(ConsumedName, "{message}", "Messages received, by topic, group and how they ended.");

    internal static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram(
        HandlerDurationName, "s", "Duration of one handler attempt.", tags: null,
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    internal static readonly Counter<long> DeadLetters =
        Meter.CreateCounter<long>(DeadLettersName, "{message}", "Messages dead-lettered, by source topic.");

    private static readonly ObservableGauge<long> LagGauge =
        Meter.CreateObservableGauge(ConsumerLagName, ConsumerLag.Observe, "{message}", "Consumer lag per partition, from librdkafka statistics.");

    /// <summary>Creates the instruments now, so the lag gauge exists before a consumer has handled anything.</summary>
    internal static void EnsureCreated() => GC.KeepAlive(LagGauge);
}
