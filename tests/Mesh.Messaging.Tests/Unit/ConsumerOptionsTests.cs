using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Unit;

public sealed class ConsumerOptionsTests
{
    [Test]
    public void Handler_for_a_mesh_topic_must_take_the_topics_message_type()
    {
        var options = new MeshConsumerOptions { GroupId = "g" };

        Assert.Multiple(() =>
        {
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>(MeshTopics.ToolResults), Throws.ArgumentException.With.Message.Contains("mesh.tool.result/v1"));
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>(MeshTopics.ToolRequests), Throws.Nothing);
        });
    }

    [Test]
    public void A_topic_gets_one_handler_and_dead_letter_topics_none()
    {
        var options = new MeshConsumerOptions { GroupId = "g" }.Topic<ToolRequest, ProbeHandler>("custom.topic");

        Assert.Multiple(() =>
        {
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>("custom.topic"), Throws.ArgumentException);
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>("custom.topic.dlq"), Throws.ArgumentException);
            Assert.That(options.Topics, Is.EqualTo(new[] { "custom.topic" }));
        });
    }

    [Test]
    public void Validation_names_what_is_missing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new MeshConsumerOptions { BootstrapServers = "b" }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.InvalidOperationException.With.Message.Contains("GroupId"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g" }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.InvalidOperationException.With.Message.Contains("KAFKA_BOOTSTRAP_SERVERS"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b" }.Validate(),
                Throws.InvalidOperationException.With.Message.Contains("no topic"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b", MaxAttempts = 0 }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.InvalidOperationException.With.Message.Contains("MaxAttempts"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b", MaxFetchWait = TimeSpan.FromMilliseconds(-1) }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.InvalidOperationException.With.Message.Contains("MaxFetchWait"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b", MaxFetchWait = TimeSpan.FromMinutes(6) }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.InvalidOperationException.With.Message.Contains("MaxFetchWait"));
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b" }.Topic<ToolRequest, ProbeHandler>("t").Validate(),
                Throws.Nothing);
        });
    }

    [Test]
    public void Messages_in_flight_per_partition_are_at_least_one_and_at_most_the_queue_limit()
    {
        var options = new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b", MaxQueuedPerPartition = 10 };

        Assert.Multiple(() =>
        {
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>("zero", maxInFlightPerPartition: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new MeshConsumerOptions { GroupId = "g", BootstrapServers = "b", MaxQueuedPerPartition = 10 }
                    .Topic<ToolRequest, ProbeHandler>("ten", maxInFlightPerPartition: 10).Validate(),
                Throws.Nothing);
            Assert.That(() => options.Topic<ToolRequest, ProbeHandler>("eleven", maxInFlightPerPartition: 11).Validate(),
                Throws.InvalidOperationException.With.Message.Contains("eleven").And.Message.Contains("MaxQueuedPerPartition"));
        });
    }
}
