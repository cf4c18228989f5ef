using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;

namespace Mesh.Infra.Messaging;

/// <summary>The lag of one partition as librdkafka reported it.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Lag">Messages between the consumer's committed or stored position and the end of the partition.</param>
public sealed record PartitionLag(string Topic, int Partition, long Lag);

/// <summary>
/// Consumer lag taken from librdkafka's statistics JSON (<c>topics.*.partitions.*.consumer_lag</c>), kept per
/// consumer instance and observed by the <see cref="MessagingMetrics.ConsumerLagName"/> gauge.
/// </summary>
public static class ConsumerLag
{
    private static readonly ConcurrentDictionary<Guid, (string Group, IReadOnlyList<PartitionLag> Lags)> Consumers = new();

    /// <summary>
    /// Reads the per-partition lag from a statistics document. The internal partition <c>-1</c> and partitions
    /// whose lag is unknown (<c>-1</c>: not assigned, or no position yet) are left out.
    /// </summary>
    /// <param name="statisticsJson">The JSON librdkafka emits every <c>statistics.interval.ms</c>.</param>
    /// <returns>The known lags.</returns>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static IReadOnlyList<PartitionLag> Parse(string statisticsJson)
    {
        using var document = JsonDocument.Parse(statisticsJson);
        var lags = new List<PartitionLag>();
        if (!document.RootElement.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Object)
        {
            return lags;
        }

        foreach (var topic in topics.EnumerateObject())
        {
            if (!topic.Value.TryGetProperty("partitions", out var partitions) || partitions.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var partition in partitions.EnumerateObject())
            {
                if (int.TryParse(partition.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    && partition.Value.TryGetProperty("consumer_lag", out var lag)
                    && lag.TryGetInt64(out var value)
                    && value >= 0)
                {
                    lags.Add(new PartitionLag(topic.Name, id, value));
                }
            }
        }

        return lags;
    }

    internal static void Update(Guid consumer, string group, string statisticsJson) =>
        Consumers[consumer] = (group, Parse(statisticsJson));

    internal static void Remove(Guid consumer) => Consumers.TryRemove(consumer, out _);

    internal static IEnumerable<Measurement<long>> Observe()
    {
        foreach (var (group, lags) in Consumers.Values)
        {
            foreach (var lag in lags)
            {
                yield return new Measurement<long>(lag.Lag,
                    new KeyValuePair<string, object?>("group", group),
                    new KeyValuePair<string, object?>("topic", lag.Topic),
                    new KeyValuePair<string, object?>("partition", lag.Partition));
            }
        }
    }
}
