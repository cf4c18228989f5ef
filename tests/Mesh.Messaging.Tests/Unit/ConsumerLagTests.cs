using System.Text.Json;
using Mesh.Infra.Messaging;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Unit;

public sealed class ConsumerLagTests
{
    // The shape of librdkafka's statistics document (STATISTICS.md), trimmed to what the parser reads.
    private const string Statistics = """
        {
          "name": "rdkafka#consumer-1", "type": "consumer", "ts": 123,
          "brokers": { "localhost:9092/1": { "toppars": {} } },
          "topics": {
            "tool.requests": {
              "topic": "tool.requests",
              "partitions": {
                "0": { "partition": 0, "hi_offset": 42, "committed_offset": 40, "consumer_lag": 2 },
                "1": { "partition": 1, "hi_offset": 7, "committed_offset": -1001, "consumer_lag": -1 },
                "-1": { "partition": -1, "consumer_lag": -1 }
              }
            },
            "tool.results": {
              "topic": "tool.results",
              "partitions": {
                "3": { "partition": 3, "hi_offset": 9, "committed_offset": 9, "consumer_lag": 0 }
              }
            }
          },
          "cgrp": { "state": "up" }
        }
        """;

    [Test]
    public void Reads_per_partition_lag_and_leaves_out_unknown_lag_and_the_internal_partition()
    {
        Assert.That(ConsumerLag.Parse(Statistics), Is.EquivalentTo(new[]
        {
            new PartitionLag("tool.requests", 0, 2),
            new PartitionLag("tool.results", 3, 0),
        }));
    }

    [Test]
    public void Statistics_without_topics_have_no_lag()
    {
        Assert.That(ConsumerLag.Parse("""{"name":"rdkafka#producer-1","type":"producer"}"""), Is.Empty);
    }

    [Test]
    public void Text_that_is_not_json_is_refused()
    {
        Assert.That(() => ConsumerLag.Parse("{not json"), Throws.InstanceOf<JsonException>());
    }
}
